//! The ceiling: raw async-nats on the same server in the same run.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_nats::jetstream::{self, stream};
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde::Serialize;

use crate::stats::{Latency, REPEATS, STEADY, Spread};

const PAYLOAD: usize = 256;

/// Raw bus figures: each rate measured [`REPEATS`] times over [`STEADY`] at least.
#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    /// Core NATS publish → subscribe, one publisher, messages per second.
    pub core_msgs_per_s: Spread,
    /// JetStream publish with up to 1000 acks in flight, messages per second.
    pub jetstream_async_msgs_per_s: Spread,
    /// The same from two connections at once, each to a stream of its own (as Muster writes: the
    /// seats' submissions and the coordinator's events), messages stored per second in all.
    pub jetstream_async_two_writers_msgs_per_s: Spread,
    /// JetStream publish awaiting each ack, messages per second.
    pub jetstream_sync_msgs_per_s: Spread,
    /// Request/reply round trip, over [`STEADY`].
    pub request_reply: Latency,
}

/// Measures the raw figures.
pub async fn measure(url: &str, as_who: bus::Credentials) -> anyhow::Result<Baseline> {
    let other =
        bus::Bus::connect(&bus::ConnectSettings::new(url, "muster-bench-raw-2").with_credentials(Some(as_who.clone())))
            .await?;
    let bus =
        bus::Bus::connect(&bus::ConnectSettings::new(url, "muster-bench-raw").with_credentials(Some(as_who))).await?;
    let client = bus.client().clone();
    let (mut core_rates, mut async_rates, mut sync_rates) = (Vec::new(), Vec::new(), Vec::new());
    let mut two_writers = Vec::new();
    for _ in 0..REPEATS {
        core_rates.push(core(&client).await?);
        async_rates.push(jetstream_async(std::slice::from_ref(&client)).await?);
        two_writers.push(jetstream_async(&[client.clone(), other.client().clone()]).await?);
        sync_rates.push(jetstream_sync(&client).await?);
    }
    Ok(Baseline {
        core_msgs_per_s: Spread::of(core_rates),
        jetstream_async_msgs_per_s: Spread::of(async_rates),
        jetstream_async_two_writers_msgs_per_s: Spread::of(two_writers),
        jetstream_sync_msgs_per_s: Spread::of(sync_rates),
        request_reply: request_reply(&client).await?,
    })
}

impl Baseline {
    /// What the server stores per second, raw, on the terms Muster's bus messages are counted on
    /// (messages stored, as many writers as Muster has): the higher of one writer and two. A share
    /// of it above 100% would mean the figure counts something the server did not do.
    pub fn stored_msgs_per_s(&self) -> f64 {
        self.jetstream_async_msgs_per_s.median.max(self.jetstream_async_two_writers_msgs_per_s.median)
    }
}

/// Publishes in rounds of this many messages until [`STEADY`] has passed.
const ROUND: usize = 1000;

async fn core(client: &async_nats::Client) -> anyhow::Result<f64> {
    let mut sub = client.subscribe("bench.core").await?;
    client.flush().await?;
    let payload = Bytes::from(vec![7u8; PAYLOAD]);
    let started = Instant::now();
    let publisher = {
        let client = client.clone();
        tokio::spawn(async move {
            while started.elapsed() < STEADY {
                for _ in 0..ROUND {
                    client.publish("bench.core", payload.clone()).await?;
                }
            }
            client.flush().await?;
            anyhow::Ok(())
        })
    };
    // Until a quiet second after the publisher stopped; a slow consumer may drop: the rate counts
    // what arrived.
    let (mut received, mut last) = (0u64, started);
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_secs(1), sub.next()).await {
        received += 1;
        last = Instant::now();
    }
    publisher.await??;
    Ok(received as f64 / (last - started).as_secs_f64())
}

async fn bench_stream(client: &async_nats::Client, name: &str) -> anyhow::Result<jetstream::Context> {
    let js = jetstream::new(client.clone());
    let _ = js.delete_stream(name).await;
    js.create_stream(stream::Config { name: name.into(), subjects: vec![format!("{name}.>")], ..Default::default() })
        .await
        .context("bench stream")?;
    Ok(js)
}

/// Each of `clients` publishing to a stream of its own at once, up to 1000 acks in flight each:
/// messages stored per second in all.
async fn jetstream_async(clients: &[async_nats::Client]) -> anyhow::Result<f64> {
    let mut streams = Vec::new();
    for (n, client) in clients.iter().enumerate() {
        let name = format!("BENCH_ASYNC_{n}");
        streams.push((bench_stream(client, &name).await?, name));
    }
    let started = Instant::now();
    let writers = streams.into_iter().map(|(js, name)| async move {
        let (payload, subject) = (Bytes::from(vec![7u8; PAYLOAD]), format!("{name}.x"));
        let mut in_flight = FuturesUnordered::new();
        let mut sent = 0u64;
        while started.elapsed() < STEADY {
            for _ in 0..ROUND {
                if in_flight.len() >= 1000 {
                    in_flight.next().await.context("ack")??;
                }
                let ack = js.publish(subject.clone(), payload.clone()).await?;
                in_flight.push(ack.into_future());
            }
            sent += ROUND as u64;
        }
        while let Some(ack) = in_flight.next().await {
            ack?;
        }
        let rate = sent as f64 / started.elapsed().as_secs_f64();
        js.delete_stream(&name).await?;
        anyhow::Ok(rate)
    });
    Ok(futures::future::try_join_all(writers).await?.iter().sum())
}

async fn jetstream_sync(client: &async_nats::Client) -> anyhow::Result<f64> {
    let js = bench_stream(client, "BENCH_SYNC").await?;
    let payload = Bytes::from(vec![7u8; PAYLOAD]);
    let (started, mut sent) = (Instant::now(), 0u64);
    while started.elapsed() < STEADY {
        js.publish("BENCH_SYNC.x", payload.clone()).await?.await?;
        sent += 1;
    }
    let rate = sent as f64 / started.elapsed().as_secs_f64();
    js.delete_stream("BENCH_SYNC").await?;
    Ok(rate)
}

async fn request_reply(client: &async_nats::Client) -> anyhow::Result<Latency> {
    let mut service = client.subscribe("bench.rr").await?;
    let responder = client.clone();
    let task = tokio::spawn(async move {
        while let Some(m) = service.next().await {
            if let Some(reply) = m.reply {
                let _ = responder.publish(reply, m.payload).await;
            }
        }
    });
    client.flush().await?;
    let payload = Bytes::from(vec![7u8; PAYLOAD]);
    let (started, mut samples) = (Instant::now(), Vec::new());
    while started.elapsed() < STEADY {
        let t = Instant::now();
        client.request("bench.rr", payload.clone()).await?;
        samples.push(t.elapsed());
    }
    task.abort();
    Ok(Latency::of(&mut samples))
}

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
    /// JetStream publish awaiting each ack, messages per second.
    pub jetstream_sync_msgs_per_s: Spread,
    /// Request/reply round trip, over [`STEADY`].
    pub request_reply: Latency,
}

/// Measures the raw figures.
pub async fn measure(url: &str, as_who: bus::Credentials) -> anyhow::Result<Baseline> {
    let bus =
        bus::Bus::connect(&bus::ConnectSettings::new(url, "muster-bench-raw").with_credentials(Some(as_who))).await?;
    let client = bus.client().clone();
    let (mut core_rates, mut async_rates, mut sync_rates) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..REPEATS {
        core_rates.push(core(&client).await?);
        async_rates.push(jetstream_async(&client).await?);
        sync_rates.push(jetstream_sync(&client).await?);
    }
    Ok(Baseline {
        core_msgs_per_s: Spread::of(core_rates),
        jetstream_async_msgs_per_s: Spread::of(async_rates),
        jetstream_sync_msgs_per_s: Spread::of(sync_rates),
        request_reply: request_reply(&client).await?,
    })
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

async fn jetstream_async(client: &async_nats::Client) -> anyhow::Result<f64> {
    let js = bench_stream(client, "BENCH_ASYNC").await?;
    let payload = Bytes::from(vec![7u8; PAYLOAD]);
    let mut in_flight = FuturesUnordered::new();
    let (started, mut sent) = (Instant::now(), 0u64);
    while started.elapsed() < STEADY {
        for _ in 0..ROUND {
            if in_flight.len() >= 1000 {
                in_flight.next().await.context("ack")??;
            }
            in_flight.push(js.publish("BENCH_ASYNC.x", payload.clone()).await?.into_future());
        }
        sent += ROUND as u64;
    }
    while let Some(ack) = in_flight.next().await {
        ack?;
    }
    let rate = sent as f64 / started.elapsed().as_secs_f64();
    js.delete_stream("BENCH_ASYNC").await?;
    Ok(rate)
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

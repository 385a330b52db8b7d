//! The ceiling: raw async-nats on the same server in the same run.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_nats::jetstream::{self, stream};
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde::Serialize;

use crate::stats::Latency;

const PAYLOAD: usize = 256;

/// Raw bus figures.
#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    /// Core NATS publish → subscribe, one publisher, messages per second.
    pub core_msgs_per_s: f64,
    /// JetStream publish with up to 1000 acks in flight, messages per second.
    pub jetstream_async_msgs_per_s: f64,
    /// JetStream publish awaiting each ack, messages per second.
    pub jetstream_sync_msgs_per_s: f64,
    /// Request/reply round trip.
    pub request_reply: Latency,
}

/// Measures the raw figures; `js_messages` sets the JetStream sample (smaller when every ack fsyncs).
pub async fn measure(url: &str, as_who: bus::Credentials, js_messages: usize) -> anyhow::Result<Baseline> {
    let bus =
        bus::Bus::connect(&bus::ConnectSettings::new(url, "muster-bench-raw").with_credentials(Some(as_who))).await?;
    let client = bus.client().clone();
    Ok(Baseline {
        core_msgs_per_s: core(&client, 300_000).await?,
        jetstream_async_msgs_per_s: jetstream_async(&client, js_messages).await?,
        jetstream_sync_msgs_per_s: jetstream_sync(&client, js_messages / 10).await?,
        request_reply: request_reply(&client, 3_000).await?,
    })
}

async fn core(client: &async_nats::Client, n: usize) -> anyhow::Result<f64> {
    let mut sub = client.subscribe("bench.core").await?;
    client.flush().await?;
    let payload = Bytes::from(vec![7u8; PAYLOAD]);
    let started = Instant::now();
    let publisher = {
        let client = client.clone();
        tokio::spawn(async move {
            for _ in 0..n {
                client.publish("bench.core", payload.clone()).await?;
            }
            client.flush().await?;
            anyhow::Ok(())
        })
    };
    let mut received = 0;
    while received < n {
        match tokio::time::timeout(Duration::from_secs(5), sub.next()).await {
            Ok(Some(_)) => received += 1,
            _ => break, // a slow consumer may drop: the rate counts what arrived
        }
    }
    let elapsed = started.elapsed();
    publisher.await??;
    Ok(received as f64 / elapsed.as_secs_f64())
}

async fn bench_stream(client: &async_nats::Client, name: &str) -> anyhow::Result<jetstream::Context> {
    let js = jetstream::new(client.clone());
    let _ = js.delete_stream(name).await;
    js.create_stream(stream::Config { name: name.into(), subjects: vec![format!("{name}.>")], ..Default::default() })
        .await
        .context("bench stream")?;
    Ok(js)
}

async fn jetstream_async(client: &async_nats::Client, n: usize) -> anyhow::Result<f64> {
    let js = bench_stream(client, "BENCH_ASYNC").await?;
    let payload = Bytes::from(vec![7u8; PAYLOAD]);
    let mut in_flight = FuturesUnordered::new();
    let started = Instant::now();
    for _ in 0..n {
        if in_flight.len() >= 1000 {
            in_flight.next().await.context("ack")??;
        }
        in_flight.push(js.publish("BENCH_ASYNC.x", payload.clone()).await?.into_future());
    }
    while let Some(ack) = in_flight.next().await {
        ack?;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

async fn jetstream_sync(client: &async_nats::Client, n: usize) -> anyhow::Result<f64> {
    let js = bench_stream(client, "BENCH_SYNC").await?;
    let payload = Bytes::from(vec![7u8; PAYLOAD]);
    let started = Instant::now();
    for _ in 0..n {
        js.publish("BENCH_SYNC.x", payload.clone()).await?.await?;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

async fn request_reply(client: &async_nats::Client, n: usize) -> anyhow::Result<Latency> {
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
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        client.request("bench.rr", payload.clone()).await?;
        samples.push(t.elapsed());
    }
    task.abort();
    Ok(Latency::of(&mut samples))
}

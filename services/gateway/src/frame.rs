//! An event as the gateway streams it: a `StreamEventsResponse` encoded once, when the event is
//! read from the log, into bytes that every node's stream shares. A thousand streams cost one
//! encoding and a thousand reference counts, not a thousand copies of the event.

use std::time::SystemTime;

use bytes::{BufMut as _, Bytes};
use prost::Message as _;
use proto::v1 as wire;
use tonic::Status;
use tonic::codec::{BufferSettings, Codec, EncodeBuf, Encoder};

/// One encoded `StreamEventsResponse`.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The event's position in the exercise's log.
    pub sequence: u64,
    /// When the coordinator recorded it, for the fan-out latency.
    pub recorded_at: Option<SystemTime>,
    bytes: Bytes,
}

impl Frame {
    /// The event at `sequence`, encoded.
    pub fn new(sequence: u64, envelope: wire::Envelope) -> Frame {
        let recorded_at = envelope.recorded_at.and_then(|t| SystemTime::try_from(t).ok());
        let bytes = wire::StreamEventsResponse { sequence, envelope: Some(envelope) }.encode_to_vec().into();
        Frame { sequence, recorded_at, bytes }
    }
}

/// The stock codec, for the requests.
type Requests = tonic_prost::ProstCodec<wire::StreamEventsResponse, wire::StreamEventsRequest>;

/// `StreamEvents`' codec: requests decoded as protobuf, frames written as they are.
#[derive(Debug, Default)]
pub struct FrameCodec {
    requests: Requests,
}

impl Codec for FrameCodec {
    type Encode = Frame;
    type Decode = wire::StreamEventsRequest;
    type Encoder = FrameEncoder;
    type Decoder = <Requests as Codec>::Decoder;

    fn encoder(&mut self) -> FrameEncoder {
        FrameEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        self.requests.decoder()
    }
}

/// Copies a frame's bytes into the stream's gRPC message buffer.
#[derive(Debug)]
pub struct FrameEncoder;

impl Encoder for FrameEncoder {
    type Item = Frame;
    type Error = Status;

    fn encode(&mut self, frame: Frame, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&frame.bytes);
        Ok(())
    }

    /// Small steps: each node's stream keeps its buffer while it lives, and tonic's default (8 KiB
    /// steps, sent at 32 KiB) left ~20 KiB per stream after a burst, 20 MiB for a thousand nodes.
    /// A burst goes out in chunks of a few events, each stream still taking what is ready at once.
    fn buffer_settings(&self) -> BufferSettings {
        BufferSettings::new(1024, 4096)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_decodes_as_the_response_it_encodes() {
        let envelope = wire::Envelope { message_id: "m-1".into(), exercise_id: "ex".into(), ..Default::default() };
        let frame = Frame::new(7, envelope.clone());
        let decoded = wire::StreamEventsResponse::decode(frame.bytes.clone()).expect("decodes");
        assert_eq!(decoded, wire::StreamEventsResponse { sequence: 7, envelope: Some(envelope) });
    }
}

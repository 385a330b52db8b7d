//! Where to look first: a cache a record carries beside its state, never part of it.

/// A slot's index, remembered between two questions: not part of the record's state (every
/// record equals every other here, and it is not stored), only where to look first.
#[derive(Debug, Default)]
pub(crate) struct OpenAt(std::sync::atomic::AtomicUsize);

impl OpenAt {
    pub(crate) fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn set(&self, at: usize) {
        self.0.store(at, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Clone for OpenAt {
    fn clone(&self) -> Self {
        OpenAt(self.get().into())
    }
}

impl PartialEq for OpenAt {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

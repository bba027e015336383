//! The generator's random numbers: SplitMix64, written out here so that a seed gives the same
//! school on every machine and with every version of the `rand` crate (whose `StdRng` makes no
//! such promise). Not for cryptography: keys, session keys and SSO tokens use the OS generator.

/// A small deterministic generator (SplitMix64, Steele, Lea and Flood 2014).
#[derive(Debug, Clone)]
pub(crate) struct SimRng(u64);

impl SimRng {
    /// A generator for a seed.
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed ^ 0x5ca1_ab1e_d00d_f00d)
    }

    /// An independent stream derived from this one, so that adding draws in one part of the
    /// school does not shift every other part.
    pub(crate) fn fork(&mut self, stream: u64) -> Self {
        let base = self.next_u64();
        Self(base ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi` (`lo` when the range is empty).
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + self.below(span) as i64
    }

    /// A float in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Roughly normal with mean 0 and deviation 1 (Irwin–Hall with four terms, rescaled).
    pub(crate) fn normalish(&mut self) -> f64 {
        let sum: f64 = (0..4).map(|_| self.unit()).sum();
        (sum - 2.0) * (3.0f64).sqrt()
    }

    /// One element of a slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }

    /// Shuffles a slice in place (Fisher–Yates).
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SimRng;

    #[test]
    fn same_seed_same_numbers_and_ranges_hold() {
        let (mut a, mut b) = (SimRng::new(7), SimRng::new(7));
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
            let x = a.between(-3, 5);
            assert!((-3..=5).contains(&x));
            b.between(-3, 5);
            let u = a.unit();
            assert!((0.0..1.0).contains(&u));
            b.unit();
        }
        assert_ne!(SimRng::new(7).next_u64(), SimRng::new(8).next_u64());
        assert_eq!(SimRng::new(1).below(0), 0);
        assert_eq!(SimRng::new(1).between(4, 4), 4);
    }

    #[test]
    fn shuffle_keeps_every_element() {
        let mut v: Vec<u32> = (0..50).collect();
        SimRng::new(3).shuffle(&mut v);
        let mut sorted = v.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_ne!(v, sorted);
    }
}

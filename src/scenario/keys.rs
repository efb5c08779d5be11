//! The index's texts held end to end in one string: a list of click hashes
//! and maps from a hash, order or subscription to a click. A million clicks
//! with their transactions have five million such keys; one allocation each
//! was most of the index's build and a tenth of its memory.

use std::fmt;
use std::hash::BuildHasher;

use hashbrown::HashTable;

/// Texts numbered in the order they were pushed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyList {
    text: String,
    /// Where each text ends in `text`.
    ends: Vec<usize>,
}

impl KeyList {
    /// A list with room for `texts` texts of `bytes` bytes in all.
    pub fn with_capacity(texts: usize, bytes: usize) -> Self {
        KeyList {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(texts),
        }
    }

    /// Adds `text` at the end.
    pub fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.ends.push(self.text.len());
    }

    /// The text at `i`.
    ///
    /// # Panics
    /// When `i` is past the end, as indexing a `Vec` does.
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// How many texts there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Every text, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// A map from text to `V` whose keys are copied end to end into one string.
#[derive(Clone)]
pub struct KeyMap<V> {
    text: String,
    slots: HashTable<Slot<V>>,
    state: foldhash::fast::RandomState,
}

/// A key, as where it stands in the map's text, and its value. The key's
/// place is in the slot itself, so a look-up reads the table and then the
/// text, as it would read a `String` key's bytes.
#[derive(Clone)]
struct Slot<V> {
    start: usize,
    end: usize,
    value: V,
}

impl<V> Default for KeyMap<V> {
    fn default() -> Self {
        KeyMap::with_capacity(0, 0)
    }
}

impl<V> KeyMap<V> {
    /// A map with room for `keys` keys of `bytes` bytes in all.
    pub fn with_capacity(keys: usize, bytes: usize) -> Self {
        KeyMap {
            text: String::with_capacity(bytes),
            slots: HashTable::with_capacity(keys),
            state: foldhash::fast::RandomState::default(),
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        let hash = self.state.hash_one(key);
        let slot = self
            .slots
            .find(hash, |slot| &self.text[slot.start..slot.end] == key)?;
        Some(&slot.value)
    }

    /// Sets `key` to `value` unless it has a value already; whether it was set.
    pub fn insert_first(&mut self, key: &str, value: V) -> bool {
        let hash = self.state.hash_one(key);
        let Self { text, slots, state } = self;
        let found = slots.entry(
            hash,
            |slot| &text[slot.start..slot.end] == key,
            |slot| state.hash_one(&text[slot.start..slot.end]),
        );
        match found {
            hashbrown::hash_table::Entry::Occupied(_) => false,
            hashbrown::hash_table::Entry::Vacant(vacant) => {
                let start = text.len();
                text.push_str(key);
                vacant.insert(Slot {
                    start,
                    end: text.len(),
                    value,
                });
                true
            }
        }
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Every key and its value, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.slots
            .iter()
            .map(|slot| (&self.text[slot.start..slot.end], &slot.value))
    }
}

impl<V: PartialEq> PartialEq for KeyMap<V> {
    /// The same keys with the same values, whatever order they came in.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(key, value)| other.get(key) == Some(value))
    }
}

impl<V: fmt::Debug> fmt::Debug for KeyMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_list_gives_back_each_text_by_its_number() {
        let mut list = KeyList::with_capacity(1, 1);
        for text in ["a", "", "bcd", "é"] {
            list.push(text);
        }
        assert_eq!(list.len(), 4);
        assert_eq!(KeyList::default().len(), 0);
        assert_eq!(list.iter().collect::<Vec<_>>(), ["a", "", "bcd", "é"]);
        assert_eq!((list.get(0), list.get(2)), ("a", "bcd"));
    }

    #[test]
    fn the_first_value_of_a_key_is_kept() {
        let mut map = KeyMap::default();
        assert!(map.insert_first("ORD-1", 1));
        assert!(map.insert_first("ORD-2", 2));
        assert!(!map.insert_first("ORD-1", 3));
        assert_eq!((map.get("ORD-1"), map.get("ORD-2")), (Some(&1), Some(&2)));
        assert_eq!((map.get("ORD-"), map.get("ORD-12")), (None, None));
        assert_eq!(map.len(), 2);
        assert_eq!(KeyMap::<u8>::default().len(), 0);
        assert_eq!(
            format!("{map:?}").len(),
            r#"{"ORD-1": 1, "ORD-2": 2}"#.len()
        );
    }

    #[test]
    fn maps_are_equal_by_their_keys_and_values_alone() {
        let (mut a, mut b, mut c) = (KeyMap::default(), KeyMap::default(), KeyMap::default());
        for (key, value) in [("x", 1), ("y", 2)] {
            a.insert_first(key, value);
        }
        for (key, value) in [("y", 2), ("x", 1)] {
            b.insert_first(key, value);
        }
        for (key, value) in [("x", 1), ("y", 3)] {
            c.insert_first(key, value);
        }
        assert_eq!(a, b);
        assert_ne!(a, c);
        c.insert_first("z", 2);
        assert_ne!(b, c);
        assert_ne!(b, KeyMap::default());
    }

    proptest! {
        /// Whatever keys come, in whatever order and however many times,
        /// the map answers as a `HashMap` that keeps each key's first value,
        /// including after it has grown from no room at all.
        #[test]
        fn a_map_answers_as_a_hash_map_keeping_first_values(
            keys in prop::collection::vec("[a-c]{0,3}", 0..200),
        ) {
            let mut map = KeyMap::default();
            let mut expected = HashMap::new();
            for (i, key) in keys.iter().enumerate() {
                let new = !expected.contains_key(key.as_str());
                expected.entry(key.as_str()).or_insert(i);
                prop_assert_eq!(map.insert_first(key, i), new);
            }
            prop_assert_eq!(map.len(), expected.len());
            for (key, value) in &expected {
                prop_assert_eq!(map.get(key), Some(value));
            }
            for (key, value) in map.iter() {
                prop_assert_eq!(expected.get(key), Some(value));
            }
            prop_assert_eq!(map.get("d"), None);
        }
    }
}

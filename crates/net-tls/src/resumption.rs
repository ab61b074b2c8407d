//! What client session resumption is the same for on every backend: the key a session is
//! remembered by (server name and port), and a bounded cache of sessions.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};

use net_core::SocketIo;

/// How many sessions (or ports, for rustls) a client context remembers: rustls's own default.
///
/// ```
/// assert_eq!(net::tls::SESSION_CACHE_SIZE, 256);
/// ```
pub const SESSION_CACHE_SIZE: usize = 256;

/// Where a client session may be resumed: the server name the handshake sent and checked
/// (as given; `""` for none) and the server's port (`None` when the peer has none, as over a
/// Unix socket). A session made for one key is never offered for another, so a session
/// verified for one name cannot stand in for another name, nor for another service on the
/// same host.
///
/// ```
/// use net::tls::SessionKey;
/// let key = SessionKey::new("example.com", Some(443));
/// assert_ne!(key, SessionKey::new("example.com", Some(8443)));
/// assert_ne!(key, SessionKey::new("example.org", Some(443)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SessionKey {
    /// The server name, as the caller gave it.
    pub server_name: String,
    /// The server's port.
    pub port: Option<u16>,
}

impl SessionKey {
    /// The key for `server_name` at `port`.
    ///
    /// ```
    /// let key = net::tls::SessionKey::new("localhost", Some(4433));
    /// assert_eq!((key.server_name.as_str(), key.port), ("localhost", Some(4433)));
    /// ```
    pub fn new(server_name: &str, port: Option<u16>) -> SessionKey {
        SessionKey { server_name: server_name.to_owned(), port }
    }

    /// The key of a client handshake with `server_name` over `io`: the port is that of the
    /// socket's peer.
    ///
    /// ```
    /// let socket = net::Socket::tcp()?;
    /// let key = net::tls::SessionKey::of(&socket.io_handle()?, "localhost");
    /// assert_eq!(key.port, None, "not connected: no peer");
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn of(io: &SocketIo, server_name: &str) -> SessionKey {
        let port = io.socket2().peer_addr().ok().and_then(|a| a.as_socket()).map(|a| a.port());
        SessionKey::new(server_name, port)
    }
}

/// A bounded map of remembered sessions, shared by the handshakes of one context: when it is
/// full, the entry stored longest ago makes room.
///
/// ```
/// use net::tls::{SessionCache, SessionKey};
/// let cache = SessionCache::new(1);
/// cache.insert(SessionKey::new("a.test", Some(443)), "first");
/// cache.insert(SessionKey::new("b.test", Some(443)), "second");
/// assert_eq!(cache.get(&SessionKey::new("a.test", Some(443))), None, "made room");
/// assert_eq!(cache.get(&SessionKey::new("b.test", Some(443))), Some("second"));
/// ```
pub struct SessionCache<K, V> {
    capacity: usize,
    entries: Mutex<Entries<K, V>>,
}

struct Entries<K, V> {
    map: HashMap<K, V>,
    /// The keys in the order they were first stored.
    order: VecDeque<K>,
}

impl<K, V> fmt::Debug for SessionCache<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionCache").field("capacity", &self.capacity).field("len", &self.lock().map.len()).finish()
    }
}

impl<K: Eq + Hash + Clone, V: Clone> SessionCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (at least one).
    ///
    /// ```
    /// let cache = net::tls::SessionCache::<u16, ()>::new(8);
    /// assert!(cache.is_empty());
    /// ```
    pub fn new(capacity: usize) -> Self {
        let entries = Entries { map: HashMap::new(), order: VecDeque::new() };
        SessionCache { capacity: capacity.max(1), entries: Mutex::new(entries) }
    }

    /// The entry for `key`.
    ///
    /// ```
    /// let cache = net::tls::SessionCache::new(8);
    /// cache.insert(443u16, 'x');
    /// assert_eq!(cache.get(&443), Some('x'));
    /// ```
    pub fn get(&self, key: &K) -> Option<V> {
        self.lock().map.get(key).cloned()
    }

    /// The entry for `key`, made by `make` and stored when there is none.
    ///
    /// ```
    /// let cache = net::tls::SessionCache::new(8);
    /// assert_eq!(cache.get_or_insert_with(443u16, || 'x'), 'x');
    /// assert_eq!(cache.get_or_insert_with(443u16, || 'y'), 'x', "already there");
    /// ```
    pub fn get_or_insert_with(&self, key: K, make: impl FnOnce() -> V) -> V {
        if let Some(found) = self.get(&key) {
            return found;
        }
        let value = make();
        let mut entries = self.lock();
        // Another handshake may have stored one meanwhile: keep the first, for both.
        if let Some(found) = entries.map.get(&key) {
            return found.clone();
        }
        entries.map.insert(key.clone(), value.clone());
        entries.order.push_back(key);
        self.make_room(&mut entries);
        value
    }

    /// Stores `value` for `key`, replacing what was there; when full, the oldest entry goes.
    ///
    /// ```
    /// let cache = net::tls::SessionCache::new(8);
    /// cache.insert(443u16, 1);
    /// cache.insert(443u16, 2);
    /// assert_eq!((cache.get(&443), cache.len()), (Some(2), 1));
    /// ```
    pub fn insert(&self, key: K, value: V) {
        let mut entries = self.lock();
        if entries.map.insert(key.clone(), value).is_none() {
            entries.order.push_back(key);
            self.make_room(&mut entries);
        }
    }

    fn make_room(&self, entries: &mut Entries<K, V>) {
        while entries.order.len() > self.capacity {
            if let Some(oldest) = entries.order.pop_front() {
                entries.map.remove(&oldest);
            }
        }
    }

    /// Forgets `key` (a session the server would not resume, a failed handshake).
    ///
    /// ```
    /// let cache = net::tls::SessionCache::new(8);
    /// cache.insert(443u16, 1);
    /// cache.remove(&443);
    /// assert!(cache.is_empty());
    /// ```
    pub fn remove(&self, key: &K) {
        let mut entries = self.lock();
        if entries.map.remove(key).is_some() {
            entries.order.retain(|k| k != key);
        }
    }

    /// How many entries it holds.
    ///
    /// ```
    /// assert_eq!(net::tls::SessionCache::<u16, u8>::new(8).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Whether it holds nothing.
    ///
    /// ```
    /// assert!(net::tls::SessionCache::<u16, u8>::new(8).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K, V> SessionCache<K, V> {
    fn lock(&self) -> MutexGuard<'_, Entries<K, V>> {
        // Every update leaves the map and the order consistent before it can panic: recover.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::SessionCache;

    #[test]
    fn the_oldest_entry_makes_room_and_a_replaced_one_keeps_its_place() {
        let cache = SessionCache::new(2);
        cache.insert(1, 'a');
        cache.insert(2, 'b');
        cache.insert(1, 'c'); // replaced: still the oldest
        cache.insert(3, 'd');
        assert_eq!((cache.get(&1), cache.get(&2), cache.get(&3)), (None, Some('b'), Some('d')));
        cache.remove(&2);
        cache.insert(4, 'e');
        assert_eq!(cache.len(), 2);
        assert_eq!((cache.get(&3), cache.get(&4)), (Some('d'), Some('e')));
    }
}

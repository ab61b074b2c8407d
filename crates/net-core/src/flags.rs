//! `SocketFlag` and the set of them that read and send calls take.

use std::fmt;

/// A flag that changes how a read or accept behaves (Nim's `SocketFlag`).
///
/// ```
/// use net::{SocketFlag, SocketFlags};
/// let flags = SocketFlags::from(SocketFlag::Peek) | SocketFlag::SafeDisconn;
/// assert!(flags.contains(SocketFlag::Peek));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SocketFlag {
    /// Read without consuming (`MSG_PEEK`): the next read sees the same bytes.
    Peek,
    /// A reset or broken pipe while reading reads as end of stream, and `accept` retries
    /// aborted connections. Sending still reports a dead peer.
    SafeDisconn,
    /// For [`Socket::send_with`](crate::Socket::send_with) on a plain socket: more data
    /// follows, so the kernel may hold this data back to send it with the next (`MSG_MORE`;
    /// on UDP, the sends up to one without it make one datagram). Linux only: other Unix
    /// send at once. Reads ignore it.
    More,
}

impl SocketFlag {
    const fn bit(self) -> u8 {
        match self {
            SocketFlag::Peek => 1,
            SocketFlag::SafeDisconn => 2,
            SocketFlag::More => 4,
        }
    }
}

/// A set of [`SocketFlag`]s. The default is `{SafeDisconn}`, as in Nim.
///
/// ```
/// use net::{SocketFlag, SocketFlags};
/// assert!(SocketFlags::default().contains(SocketFlag::SafeDisconn));
/// assert!(SocketFlags::empty().is_empty());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SocketFlags(u8);

impl SocketFlags {
    /// The empty set.
    ///
    /// ```
    /// assert!(net::SocketFlags::empty().is_empty());
    /// ```
    pub const fn empty() -> Self {
        SocketFlags(0)
    }

    /// The set holding one flag.
    ///
    /// ```
    /// use net::{SocketFlag, SocketFlags};
    /// assert!(SocketFlags::only(SocketFlag::Peek).contains(SocketFlag::Peek));
    /// ```
    pub const fn only(flag: SocketFlag) -> Self {
        SocketFlags(flag.bit())
    }

    /// This set with `flag` added.
    ///
    /// ```
    /// use net::{SocketFlag, SocketFlags};
    /// let f = SocketFlags::empty().with(SocketFlag::Peek);
    /// assert!(f.contains(SocketFlag::Peek));
    /// ```
    pub const fn with(self, flag: SocketFlag) -> Self {
        SocketFlags(self.0 | flag.bit())
    }

    /// This set with `flag` removed.
    ///
    /// ```
    /// use net::{SocketFlag, SocketFlags};
    /// assert!(SocketFlags::default().without(SocketFlag::SafeDisconn).is_empty());
    /// ```
    pub const fn without(self, flag: SocketFlag) -> Self {
        SocketFlags(self.0 & !flag.bit())
    }

    /// Whether `flag` is in the set.
    ///
    /// ```
    /// use net::{SocketFlag, SocketFlags};
    /// assert!(!SocketFlags::empty().contains(SocketFlag::SafeDisconn));
    /// ```
    pub const fn contains(self, flag: SocketFlag) -> bool {
        self.0 & flag.bit() != 0
    }

    /// Whether the set is empty.
    ///
    /// ```
    /// assert!(!net::SocketFlags::default().is_empty());
    /// ```
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl Default for SocketFlags {
    fn default() -> Self {
        SocketFlags::only(SocketFlag::SafeDisconn)
    }
}

impl From<SocketFlag> for SocketFlags {
    fn from(flag: SocketFlag) -> Self {
        SocketFlags::only(flag)
    }
}

impl std::ops::BitOr<SocketFlag> for SocketFlags {
    type Output = SocketFlags;
    fn bitor(self, flag: SocketFlag) -> SocketFlags {
        self.with(flag)
    }
}

impl std::ops::BitOr for SocketFlags {
    type Output = SocketFlags;
    fn bitor(self, other: SocketFlags) -> SocketFlags {
        SocketFlags(self.0 | other.0)
    }
}

/// ```
/// use net::{SocketFlag, SocketFlags};
/// let mut flags = SocketFlags::empty();
/// flags |= SocketFlag::Peek;
/// flags |= SocketFlags::default();
/// assert!(flags.contains(SocketFlag::Peek) && flags.contains(SocketFlag::SafeDisconn));
/// ```
impl std::ops::BitOrAssign<SocketFlag> for SocketFlags {
    fn bitor_assign(&mut self, flag: SocketFlag) {
        *self = self.with(flag);
    }
}

impl std::ops::BitOrAssign for SocketFlags {
    fn bitor_assign(&mut self, other: SocketFlags) {
        *self = *self | other;
    }
}

impl std::ops::BitOr for SocketFlag {
    type Output = SocketFlags;
    fn bitor(self, other: SocketFlag) -> SocketFlags {
        SocketFlags::only(self).with(other)
    }
}

impl FromIterator<SocketFlag> for SocketFlags {
    fn from_iter<I: IntoIterator<Item = SocketFlag>>(iter: I) -> Self {
        iter.into_iter().fold(SocketFlags::empty(), SocketFlags::with)
    }
}

impl fmt::Debug for SocketFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut set = f.debug_set();
        for flag in [SocketFlag::Peek, SocketFlag::SafeDisconn, SocketFlag::More] {
            if self.contains(flag) {
                set.entry(&flag);
            }
        }
        set.finish()
    }
}

/// The `MSG_*` bit mask for `flags`: `Peek` is `MSG_PEEK`, `More` is `MSG_MORE`;
/// `SafeDisconn` has no OS bit.
///
/// ```
/// use net::{to_os_flags, SocketFlag, SocketFlags};
/// assert_eq!(to_os_flags(SocketFlags::default()), 0);
/// assert_ne!(to_os_flags(SocketFlag::Peek.into()), 0);
/// ```
#[doc(alias = "toOSFlags")]
pub fn to_os_flags(flags: SocketFlags) -> i32 {
    let mut os = 0;
    if flags.contains(SocketFlag::Peek) {
        os |= libc::MSG_PEEK;
    }
    // `MSG_MORE` is Linux's; elsewhere the data goes out at once, as without the flag.
    #[cfg(target_os = "linux")]
    if flags.contains(SocketFlag::More) {
        os |= libc::MSG_MORE;
    }
    os
}

//! OS package databases: dpkg status, apk installed, rpm -qa lists.

pub mod apk;
pub mod dpkg;
pub(crate) mod os_release;
pub mod rpm;

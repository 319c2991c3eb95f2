//! OS package databases: dpkg status, apk installed, rpm -qa lists.

pub mod apk;
pub mod dpkg;
mod os_release;
pub mod rpm;

//! Golden and bad-input tests of the go.mod, composer.lock, gradle.lockfile and pom.xml parsers.

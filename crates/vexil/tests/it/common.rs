//! What every end-to-end test needs: the databases to run against, the binary, a store dump.

use std::path::Path;

use assert_cmd::Command;

/// Database URLs to run against: a fresh SQLite file, and a fresh PostgreSQL database when
/// `VEXIL_TEST_POSTGRES_URL` is set (always under CI).
pub(crate) fn databases(dir: &Path, test: &str) -> Vec<String> {
    let mut urls = vec![format!("sqlite://{}", dir.join("vexil.db").display())];
    if let Ok(admin) = std::env::var("VEXIL_TEST_POSTGRES_URL") {
        // Unique per call: tests of different files may share a name, never a database.
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let db = format!("vexil_cli_{}_{n}_{test}", std::process::id());
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let pool = sqlx::PgPool::connect(&admin).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        });
        let (base, _) = admin.rsplit_once('/').unwrap();
        urls.push(format!("{base}/{db}"));
    } else if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but VEXIL_TEST_POSTGRES_URL is unset");
    }
    urls
}

pub(crate) fn vexil(url: &str) -> Command {
    let mut cmd = Command::cargo_bin("vexil").unwrap();
    cmd.env_remove("VEXIL_DATABASE_URL")
        .args(["--database", url]);
    cmd
}

/// Runs `vexil ARGS PATH` against `url` and asserts it succeeds (the set-up steps of a test:
/// importing a feed, an inventory).
pub(crate) fn succeed(url: &str, args: &[&str], path: impl AsRef<std::ffi::OsStr>) {
    vexil(url).args(args).arg(path).assert().success();
}

pub(crate) fn dump(url: &str) -> Vec<String> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = vexil_store::Store::open(url).await.unwrap();
        let dump = store.dump().await.unwrap();
        store.close().await;
        dump
    })
}

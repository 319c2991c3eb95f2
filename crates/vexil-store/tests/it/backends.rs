//! A fresh, empty store per test on each backend.

use std::sync::atomic::{AtomicUsize, Ordering};

use vexil_store::Store;

/// A store to test, with what keeps it alive (the SQLite temp dir).
pub(crate) struct TestStore {
    pub(crate) name: &'static str,
    pub(crate) url: String,
    pub(crate) store: Store,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// SQLite in a temporary directory, and PostgreSQL in a new database of the test server.
pub(crate) async fn all() -> Vec<TestStore> {
    let mut stores = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("vexil.db").display());
    let store = Store::open(&url).await.unwrap();
    stores.push(TestStore {
        name: "sqlite",
        url,
        store,
        _dir: Some(dir),
    });
    match std::env::var("VEXIL_TEST_POSTGRES_URL") {
        Ok(admin_url) => {
            let db = format!(
                "vexil_test_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst)
            );
            let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
            let (base, _) = admin_url.rsplit_once('/').unwrap();
            let url = format!("{base}/{db}");
            let store = Store::open(&url).await.unwrap();
            stores.push(TestStore {
                name: "postgres",
                url,
                store,
                _dir: None,
            });
        }
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but VEXIL_TEST_POSTGRES_URL is unset: .ci/run must start PostgreSQL")
        }
        Err(_) => eprintln!(
            "skipped PostgreSQL: VEXIL_TEST_POSTGRES_URL is unset (source .ci/postgres.sh)"
        ),
    }
    stores
}

/// Runs statements on the database at `url`: `sqlite` ones on SQLite, `postgres` ones on
/// PostgreSQL (to break a store on purpose, e.g. a trigger that fails every insert).
pub(crate) async fn execute(url: &str, sqlite: &[&str], postgres: &[&str]) {
    for sql in if url.starts_with("sqlite:") {
        sqlite
    } else {
        postgres
    } {
        try_execute(url, sql).await.unwrap();
    }
}

/// Runs one statement on the database at `url`, returning the database's error as text.
pub(crate) async fn try_execute(url: &str, sql: &str) -> Result<(), String> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    let result = if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let r = sqlx::query(sql).execute(&pool).await.map(drop);
        pool.close().await;
        r
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let r = sqlx::query(sql).execute(&pool).await.map(drop);
        pool.close().await;
        r
    };
    result.map_err(|e| e.to_string())
}

//! Relative SQLite URLs resolve at run time against the datasource's base directory, which the
//! application sets; nothing of the machine that built the binary is embedded (issue #13,
//! item 8). One test in its own process: the base of a generated `DATASOURCE` is set once.

use sovereign::Host;
use sovereign_tests::ui_platform::DATASOURCE;

#[tokio::test]
async fn a_relative_sqlite_url_resolves_against_the_base_the_application_sets() {
    // Generated code embeds no directory: until the application sets one, the current one.
    assert_eq!(DATASOURCE.base_dir(), std::path::Path::new("."));

    let base = std::env::temp_dir().join(format!("sov-base-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    DATASOURCE.set_base_dir(&base).unwrap();
    assert_eq!(DATASOURCE.base_dir(), base);

    let cwd_file = std::env::current_dir().unwrap().join("base-dir-test.db");
    let host = Host::builder()
        .url("file:./base-dir-test.db")
        .deploy_migrations(true)
        .connect(&DATASOURCE, &[])
        .await
        .expect("connect and deploy");
    host.close().await;
    assert!(
        base.join("base-dir-test.db").is_file(),
        "the database is in the base directory"
    );
    assert!(!cwd_file.exists(), "nothing in the current directory");

    // Set once: the same directory again is fine, another one is refused.
    DATASOURCE.set_base_dir(&base).unwrap();
    let err = DATASOURCE.set_base_dir(base.join("other")).unwrap_err();
    assert!(err.to_string().contains("already"), "{err}");
    let _ = std::fs::remove_dir_all(&base);
}

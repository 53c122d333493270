//! The runtime host: what it refuses and what it hands out, with plugins declared by
//! `#[sovereign_plugin]` (the UI workspace's `shop`, `quiet` and `solo`).

use sovereign::{ErrorKind, Host};

// One plugin per module, as in a crate per plugin: each gets its own `db` module.
mod shop {
    #[sovereign::sovereign_plugin(manifest = "tests/ui/workspace/plugins/shop/plugin.json")]
    pub struct Shop;
}
mod quiet {
    #[sovereign::sovereign_plugin(manifest = "tests/ui/workspace/plugins/quiet/plugin.json")]
    pub struct Quiet;
}
mod solo {
    #[sovereign::sovereign_plugin(
        mode = "dedicated",
        manifest = "tests/ui/workspace/plugins/solo/plugin.json"
    )]
    pub struct Solo;
}
/// What the shared and dedicated modes give a plugin, checked by the compiler: a shared plugin
/// writes its own models and reads core ones through `ctx.db()`; a dedicated plugin writes its
/// own database and reads the core tables through `ctx.core()`, with its migrations embedded.
#[allow(dead_code)]
mod the_modes_compile {
    use super::{shop::Shop, solo::Solo};
    use sovereign::PluginContext;

    async fn shared(ctx: &PluginContext<Shop>) -> sovereign::Result<()> {
        use super::shop::db;
        let client = ctx.db();
        if let Some(buyer) = client
            .user()
            .find_unique(db::user::email::equals("a@b.c"))
            .exec()
            .await?
        {
            client
                .order()
                .create(10, db::user::id::equals(buyer.id), vec![])
                .exec()
                .await?;
        }
        let _handle: &sovereign::Database = ctx.database();
        Ok(())
    }

    async fn dedicated(ctx: &PluginContext<Solo>) -> sovereign::Result<()> {
        use super::solo::db;
        ctx.db()
            .event()
            .create("signed in".to_string(), vec![])
            .exec()
            .await?;
        let users = ctx.core().user().count(vec![]).exec().await?;
        let _ = (users, db::DATASOURCE.migrations.len());
        Ok(())
    }
}

#[test]
fn manifests_are_embedded_with_their_modes() {
    use sovereign::{Mode, Plugin};
    assert_eq!(<Shop as Plugin>::MANIFEST.namespace, "shop");
    assert_eq!(<Shop as Plugin>::MANIFEST.mode, Mode::Shared);
    assert_eq!(<Solo as Plugin>::MANIFEST.mode, Mode::Dedicated);
    assert!(<Solo as Plugin>::MANIFEST.datasource.is_some());
}

use quiet::Quiet;
use shop::Shop;
use solo::Solo;

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sov-host-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn host(composed: &'static [&'static str], dir: &std::path::Path) -> Host {
    Host::builder()
        .url(format!("file:{}", dir.join("platform.db").display()))
        .data_dir(dir)
        .deploy_migrations(true)
        .connect(&sovereign_tests::ui_platform::DATASOURCE, composed)
        .await
        .expect("connect the host")
}

#[tokio::test]
async fn refuses_a_shared_plugin_that_was_not_composed() {
    let dir = temp("composed");
    let mut h = host(&["quiet"], &dir).await;
    let err = h.register::<Shop>().await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::PluginNotComposed { .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("\"shop\"") && msg.contains("sovereign compose"),
        "{msg}"
    );
    // A composed one registers, once.
    h.register::<Quiet>().await.expect("quiet is composed");
    let again = h.register::<Quiet>().await.unwrap_err();
    assert!(
        matches!(again.kind(), ErrorKind::PluginAlreadyRegistered { .. }),
        "{again:?}"
    );
    h.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn capabilities_come_from_the_manifest() {
    let dir = temp("caps");
    let mut h = host(&["shop", "quiet"], &dir).await;
    let shop = h.register::<Shop>().await.expect("shop");
    assert!(shop.has_capability("database"));
    shop.require("database").expect("granted");
    let err = shop.require("storage").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("`storage`")
            && msg.contains("\"platformCapabilities\": { \"storage\": true }"),
        "{msg}"
    );
    let quiet = h.register::<Quiet>().await.expect("quiet");
    assert!(!quiet.has_capability("database"));
    assert!(quiet.require("database").is_err());
    // shop's view works over the shared handle.
    let n = shop
        .db()
        .user()
        .count(vec![])
        .exec()
        .await
        .expect("count core users");
    assert_eq!(n, 0);
    h.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_dedicated_plugin_gets_its_own_database() {
    let dir = temp("dedicated");
    std::env::remove_var("SOLO_DATABASE_URL");
    let mut h = host(&[], &dir).await;
    let solo = h.register::<Solo>().await.expect("solo");
    assert!(
        dir.join("solo.db").is_file(),
        "a SQLite file in the data directory"
    );
    // Its schema was pushed (no migrations folder): the table exists.
    solo.db()
        .event()
        .create("started".to_string(), vec![])
        .exec()
        .await
        .expect("write to its own database");
    assert_eq!(
        solo.db().event().count(vec![]).exec().await.expect("count"),
        1
    );
    h.close().await;
    // Closed with the host: the plugin's own pool too.
    let closed = solo.db().event().count(vec![]).exec().await.unwrap_err();
    assert!(matches!(closed.kind(), ErrorKind::Connection), "{closed:?}");

    // Without a data directory, the missing variable is named.
    let mut bare = Host::builder()
        .url(format!("file:{}", dir.join("platform.db").display()))
        .connect(&sovereign_tests::ui_platform::DATASOURCE, &[])
        .await
        .expect("connect");
    let err = bare.register::<Solo>().await.unwrap_err();
    assert!(
        err.to_string().contains("`SOLO_DATABASE_URL` is not set"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

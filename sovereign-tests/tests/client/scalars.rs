//! Defaults, every scalar type, enums and client-generated ids; strings that SQL must not
//! mangle.

use sovereign_tests::*;

use crate::R;

/// Defaults, every scalar type, enums and client-generated ids.
pub(crate) async fn scalars(c: &PrismaClient) -> R {
    let before =
        sovereign::chrono::Utc::now().fixed_offset() - sovereign::chrono::Duration::seconds(5);
    let u = c
        .user()
        .create("ann@example.com".into(), vec![])
        .exec()
        .await?;
    assert!(u.id > 0);
    assert_eq!(u.role, Role::Member);
    assert_eq!((u.karma, u.active, u.name.clone()), (0, true, None));
    assert!(u.created_at > before, "createdAt {:?}", u.created_at);
    assert!(u.updated_at > before);
    let when = sovereign::chrono::DateTime::parse_from_rfc3339("2024-02-29T12:34:56.789+02:00")?;
    let json =
        sovereign::serde_json::json!({"theme": "dark", "n": [1, 2.5, null], "q": "it's \"x\""});
    let dec: sovereign::rust_decimal::Decimal = "12345.678".parse()?;
    let v = c
        .user()
        .create(
            "bob@example.com".into(),
            vec![
                user::name::set(Some("Bob".to_string())),
                user::role::set(Role::Admin),
                user::karma::set(7),
                user::balance::set(dec),
                user::score::set(2.5),
                user::big::set(9_007_199_254_740_993i64),
                user::active::set(false),
                user::avatar::set(Some(vec![0u8, 1, 2, 255])),
                user::settings::set(Some(json.clone())),
                user::created_at::set(when),
            ],
        )
        .exec()
        .await?;
    let back = c
        .user()
        .find_unique(user::id::equals(v.id))
        .exec()
        .await?
        .ok_or("created user not found")?;
    assert_eq!(back.name.as_deref(), Some("Bob"));
    assert_eq!(back.role, Role::Admin);
    assert_eq!(back.balance, dec);
    assert_eq!(back.score, 2.5);
    assert_eq!(back.big, 9_007_199_254_740_993);
    assert!(!back.active);
    assert_eq!(back.avatar, Some(vec![0, 1, 2, 255]));
    assert_eq!(back.settings, Some(json));
    assert_eq!(back.created_at, when, "DateTime keeps the instant");
    let by_email = c
        .user()
        .find_unique(user::email::equals("bob@example.com"))
        .exec()
        .await?;
    assert_eq!(by_email.map(|u| u.id), Some(v.id));
    // Enum filters, and the mapped enum value.
    let members = c
        .user()
        .find_many(vec![user::role::equals(Role::Member)])
        .exec()
        .await?;
    assert_eq!(members.len(), 1);
    assert_eq!(
        Role::Member.to_string(),
        "member",
        "the database name (@map)"
    );
    assert_eq!(
        sovereign::serde_json::to_value(Role::Member)?,
        "MEMBER",
        "JSON uses schema names"
    );
    // Client-generated ids.
    let p = c
        .profile()
        .create("hi".into(), user::id::equals(u.id), vec![])
        .exec()
        .await?;
    assert_eq!(p.id.len(), 36, "uuid {}", p.id);
    let g = c.group().create("g".into(), vec![]).exec().await?;
    assert_eq!(g.id.len(), 26, "ulid {}", g.id);
    let t = c.tag().create("rust".into(), vec![]).exec().await?;
    assert_eq!(t.id.len(), 21, "nanoid {}", t.id);
    // Serde: the data struct serializes with schema names, unfetched relations left out.
    let s = sovereign::serde_json::to_value(&back)?;
    assert_eq!(s["email"], "bob@example.com");
    assert_eq!(s["role"], "ADMIN");
    assert!(s.get("posts").is_none());
    c.profile().delete_many(vec![]).exec().await?;
    c.group().delete_many(vec![]).exec().await?;
    c.tag().delete_many(vec![]).exec().await?;
    c.user().delete_many(vec![]).exec().await?;
    Ok(())
}

pub(crate) async fn strings(c: &PrismaClient) -> R {
    let values = [
        "it's a \"quote\"".to_string(),
        "back\\slash \\' \\\" end\\".to_string(),
        "unicode: ünïcödé ✓ 日本語 🦀".to_string(),
        "semi; DROP TABLE users; --".to_string(),
        "%_[]^$".to_string(),
        "x".repeat(60_000),
    ];
    let ann = c
        .user()
        .find_unique(user::email::equals("ann@r.io"))
        .exec()
        .await?
        .ok_or("ann")?;
    for v in values {
        // Titles are VARCHAR(191) on MySQL; bodies are TEXT.
        let title: String = v.chars().take(150).collect();
        let p = c
            .post()
            .create(
                title.clone(),
                user::id::equals(ann.id),
                vec![post::body::set(Some(v.clone()))],
            )
            .exec()
            .await?;
        assert_eq!(p.title, title);
        let found = c
            .post()
            .find_first(vec![post::body::equals(Some(v.clone()))])
            .exec()
            .await?;
        assert_eq!(
            found.map(|p| p.body),
            Some(Some(v.clone())),
            "round trip of {:?}",
            &v[..v.len().min(40)]
        );
        let short: String = v.chars().take(12).collect();
        let n = c
            .post()
            .count(vec![post::title::contains(short.clone())])
            .exec()
            .await?;
        assert!(n >= 1, "contains {short:?}");
    }
    Ok(())
}

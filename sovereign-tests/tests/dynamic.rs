//! Untyped records (`sovereign::dynamic`, what the studio uses) on SQLite, PostgreSQL and
//! MySQL: every kind of value both ways, filters, relations followed, writes and the errors a
//! user makes.

mod common;

use common::{schema_for, TestDb};
use serde_json::{json, Value};
use sovereign::dynamic::{Catalog, Page, Record};
use sovereign::{Conn, Database, Direction, ErrorKind};

fn rec(v: Value) -> Record {
    v.as_object().expect("an object").clone()
}

async fn suite(db: &TestDb) {
    let provider = match db.backend {
        sovereign::Dialect::Sqlite => "sqlite",
        sovereign::Dialect::Postgres => "postgresql",
        sovereign::Dialect::Mysql => "mysql",
    };
    let text = schema_for(sovereign_tests::SCHEMA, provider);
    let (schema, _) = sovereign_schema::check("schema.prisma", &text).unwrap();
    let catalog = Catalog::new(&schema);
    let conn = Conn::Db(Database::connect(&db.url).await.unwrap());
    let user = catalog.model("User").unwrap();
    let post = catalog.model("Post").unwrap();
    let group = catalog.model("Group").unwrap();

    // What a user interface shows of a model.
    let email = &user.fields[user.field_index("email").unwrap()];
    assert!(email.unique && !email.can_omit && email.kind == "string");
    let role = &user.fields[user.field_index("role").unwrap()];
    assert_eq!(role.values, ["ADMIN", "MEMBER"]);
    assert_eq!(role.default.as_deref(), Some("MEMBER"));
    assert_eq!(user.primary_key, ["id"]);
    let author = post.relations.iter().find(|r| r.name == "author").unwrap();
    assert_eq!(
        (
            author.target.as_str(),
            author.fields.clone(),
            author.back.as_deref()
        ),
        ("User", vec!["authorId".to_string()], Some("posts"))
    );
    assert!(post.fields[post.field_index("authorId").unwrap()].foreign_key);

    // Every kind of value round-trips in its JSON form.
    let tricky = "O'Brien \"quoted\" back\\slash ünïcødé ✓ ".repeat(4); // MySQL's String is VARCHAR(191)
    let ada = user
        .create(
            &conn,
            &rec(json!({
                "email": "ada@example.com",
                "name": tricky,
                "role": "ADMIN",
                "karma": "42",
                "balance": "12.50",
                "score": 1.5,
                "big": "9007199254740993",
                "active": false,
                "avatar": "AAEC/w==",
                "settings": {"theme": "dark", "n": [1, 2]},
                "createdAt": "2026-11-29T10:30:00.123Z",
            })),
        )
        .await
        .unwrap();
    assert_eq!(ada["name"], json!(tricky));
    assert_eq!(ada["role"], json!("ADMIN"));
    assert_eq!(ada["karma"], json!(42));
    assert_eq!(ada["balance"], json!("12.5"));
    assert_eq!(ada["big"], json!("9007199254740993"));
    assert_eq!(ada["active"], json!(false));
    assert_eq!(ada["avatar"], json!("AAEC/w=="));
    assert_eq!(ada["settings"], json!({"theme": "dark", "n": [1, 2]}));
    assert_eq!(ada["createdAt"], json!("2026-11-29T10:30:00.123Z"));
    assert!(
        ada["updatedAt"].is_string(),
        "@updatedAt is set by the client"
    );
    assert_eq!(ada["mentorId"], Value::Null);
    // Defaults: the enum's database name read back as its Prisma name.
    let bob = user
        .create(
            &conn,
            &rec(json!({"email": "bob@example.com", "mentorId": ada["id"]})),
        )
        .await
        .unwrap();
    assert_eq!(bob["role"], json!("MEMBER"));
    assert_eq!(bob["karma"], json!(0));
    let id = |r: &Record| r["id"].clone();

    // The user's mistakes, in words.
    let e = user
        .create(&conn, &rec(json!({"name": "x"})))
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::InvalidValue {
            field: "email".into()
        }
    );
    assert!(e.to_string().contains("email is required"), "{e}");
    let e = user
        .create(&conn, &rec(json!({"email": "c@x.io", "karma": "lots"})))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("karma is an Int"), "{e}");
    let e = user
        .create(&conn, &rec(json!({"email": "c@x.io", "role": "OWNER"})))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("values: ADMIN, MEMBER"), "{e}");
    let e = user
        .create(&conn, &rec(json!({"email": "ada@example.com"})))
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::UniqueViolation { fields, .. } if fields == &["email"]),
        "{e:?}"
    );
    let e = post
        .create(&conn, &rec(json!({"title": "t", "authorId": 999999})))
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::ForeignKeyViolation { .. }),
        "{e:?}"
    );

    // Posts, filters, order and pages.
    for i in 0..25 {
        let author = if i % 5 == 0 { id(&bob) } else { id(&ada) };
        post.create(
            &conn,
            &rec(
                json!({"title": format!("Post {i:02} about Rust"), "authorId": author, "views": i}),
            ),
        )
        .await
        .unwrap();
    }
    assert_eq!(post.count(&conn, &[]).await.unwrap(), 25);
    assert_eq!(post.count_capped(&conn, &[], 10).await.unwrap(), 10);
    assert_eq!(post.count_capped(&conn, &[], 100).await.unwrap(), 25);
    let f = post
        .filter("title", "contains", &json!("rust"), true)
        .unwrap();
    assert_eq!(post.count(&conn, &[f]).await.unwrap(), 25);
    let gt = post.filter("views", "gt", &json!("19"), false).unwrap();
    let page = post
        .find_many(
            &conn,
            &Page {
                filters: vec![gt],
                order: vec![(post.field_index("views").unwrap(), Direction::Desc)],
                take: Some(3),
                skip: Some(1),
                reverse: false,
            },
        )
        .await
        .unwrap();
    let views: Vec<&Value> = page.iter().map(|p| &p["views"]).collect();
    assert_eq!(views, [&json!(23), &json!(22), &json!(21)]);
    let null = user.filter("name", "is_null", &Value::Null, false).unwrap();
    assert_eq!(user.count(&conn, &[null]).await.unwrap(), 1);

    // Relations followed both ways: Bob's posts, the author of a post, Ada's mentees.
    let bobs = post
        .related_filter("author", user, &user.key_of(&bob))
        .unwrap();
    assert_eq!(post.count(&conn, &[bobs]).await.unwrap(), 5);
    let first = &page[0];
    let author_of = user
        .related_filter("posts", post, &post.key_of(first))
        .unwrap();
    let found = user
        .find_many(
            &conn,
            &Page {
                filters: vec![author_of],
                ..Page::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["email"], json!("ada@example.com"));
    let mentees = user
        .related_filter("mentor", user, &user.key_of(&ada))
        .unwrap();
    let found = user
        .find_many(
            &conn,
            &Page {
                filters: vec![mentees],
                ..Page::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found[0]["email"], json!("bob@example.com"));
    // An implicit many-to-many relation, through its join table.
    let team = group
        .create(&conn, &rec(json!({"name": "Team"})))
        .await
        .unwrap();
    assert_eq!(
        team["id"].as_str().unwrap().len(),
        26,
        "ulid() by the client"
    );
    let join = match db.backend {
        sovereign::Dialect::Mysql => "INSERT INTO `_GroupToUser` (`A`, `B`) VALUES ({}, {})",
        _ => r#"INSERT INTO "_GroupToUser" ("A", "B") VALUES ({}, {})"#,
    };
    sovereign::execute_raw(
        &conn,
        sovereign::Raw::new(
            join,
            vec![
                sovereign::SqlValue::from(team["id"].as_str().unwrap().to_string()),
                sovereign::SqlValue::from(ada["id"].as_i64().unwrap() as i32),
            ],
        ),
    )
    .await
    .unwrap();
    let members = user
        .related_filter("groups", group, &group.key_of(&team))
        .unwrap();
    let found = user
        .find_many(
            &conn,
            &Page {
                filters: vec![members],
                ..Page::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["email"], json!("ada@example.com"));

    // Edit and delete.
    let renamed = user
        .update(
            &conn,
            &user.key_of(&bob),
            &rec(json!({"name": "Robert", "karma": 7})),
        )
        .await
        .unwrap();
    assert_eq!(
        (renamed["name"].clone(), renamed["karma"].clone()),
        (json!("Robert"), json!(7))
    );
    let e = user
        .update(
            &conn,
            &rec(json!({"id": 999999})),
            &rec(json!({"name": "x"})),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RecordNotFound);
    // Ada still writes posts: the database refuses, and says so.
    let e = user.delete(&conn, &user.key_of(&ada)).await.unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::ForeignKeyViolation { .. }),
        "{e:?}"
    );
    let p = post.key_of(first);
    post.delete(&conn, &p).await.unwrap();
    assert!(post.find_unique(&conn, &p).await.unwrap().is_none());
    let e = post.delete(&conn, &p).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RecordNotFound);

    // A compound primary key.
    let tag = catalog.model("Tag").unwrap();
    let on = catalog.model("TagOnPost").unwrap();
    let t = tag
        .create(&conn, &rec(json!({"label": "rust"})))
        .await
        .unwrap();
    let link = on
        .create(
            &conn,
            &rec(json!({"postId": page[1]["id"], "tagId": t["id"], "note": "n"})),
        )
        .await
        .unwrap();
    assert_eq!(on.key_of(&link).len(), 2);
    let back = on
        .find_unique(&conn, &on.key_of(&link))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back["note"], json!("n"));
}

#[tokio::test]
async fn dynamic_records_on_sqlite() {
    let db = TestDb::sqlite("dyn").await;
    suite(&db).await;
    db.drop().await;
}

#[tokio::test]
async fn dynamic_records_on_postgres() {
    if let Some(db) = TestDb::server("SOVEREIGN_TEST_POSTGRES_URL", "dyn").await {
        suite(&db).await;
        db.drop().await;
    }
}

#[tokio::test]
async fn dynamic_records_on_mysql() {
    if let Some(db) = TestDb::server("SOVEREIGN_TEST_MYSQL_URL", "dyn").await {
        suite(&db).await;
        db.drop().await;
    }
}

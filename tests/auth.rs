//! Users, sessions, roles, the idle lock and the audit chain.

mod common;

use chrono::Duration;
use common::fixture;
use hall::api::*;

#[test]
fn login_checks_the_password_and_locks_after_five_failures() {
    let f = fixture();
    let attempt = |password: &str| f.app.call(None, Request::Login(LoginArgs { username: "clerk".into(), password: password.into() }));
    assert_eq!(attempt("nope").unwrap_err().code(), "login.wrong");
    assert_eq!(
        f.app.call(None, Request::Login(LoginArgs { username: "nobody".into(), password: "x".into() })).unwrap_err().code(),
        "login.wrong",
        "an unknown user gets the same answer as a wrong password"
    );
    for _ in 0..4 {
        attempt("nope").unwrap_err();
    }
    assert_eq!(attempt("clerk1234").unwrap_err().code(), "login.locked", "even the right password waits out the lock");
    f.clock.advance(Duration::minutes(16));
    assert!(attempt("clerk1234").is_ok());
}

#[test]
fn commands_need_a_session_and_the_right_role() {
    let f = fixture();
    let status = || Request::WorkstationStatus(NoArgs {});
    assert_eq!(f.app.call(None, status()).unwrap_err().code(), "session.required");
    assert_eq!(f.app.call(Some("forged"), status()).unwrap_err().code(), "session.expired");
    let clerk = f.login("clerk");
    assert!(f.app.call(Some(&clerk), status()).is_ok());
    for denied in [
        Request::ListUsers(NoArgs {}),
        Request::VerifyAudit(NoArgs {}),
        Request::RevealCustomer(CustomerRef { id: "x".into() }),
        Request::CreateUser(CreateUserArgs {
            username: "eve".into(),
            display_name: "Eve".into(),
            role: hall::model::user::Role::Admin,
            password: "password123".into(),
        }),
    ] {
        let name = denied.name();
        assert_eq!(f.app.call(Some(&clerk), denied).unwrap_err().code(), "role.denied", "{name}");
    }
    let admin = f.login("admin");
    assert!(f.app.call(Some(&admin), Request::ListUsers(NoArgs {})).is_ok());
}

#[test]
fn an_idle_session_locks_and_unlocks_with_the_password() {
    let f = fixture();
    let clerk = f.login("clerk");
    f.clock.advance(Duration::minutes(11));
    let search = || Request::SearchCustomers(hall::store::search::SearchQuery { text: "张".into(), offset: 0, limit: 5 });
    assert_eq!(f.app.call(Some(&clerk), search()).unwrap_err().code(), "session.locked");
    let who = f.app.call(Some(&clerk), Request::WhoAmI(NoArgs {})).unwrap();
    assert_eq!(who["locked"], true);
    assert_eq!(f.app.call(Some(&clerk), Request::Unlock(UnlockArgs { password: "bad".into() })).unwrap_err().code(), "unlock.wrong");
    f.app.call(Some(&clerk), Request::Unlock(UnlockArgs { password: "clerk1234".into() })).unwrap();
    assert!(f.app.call(Some(&clerk), search()).is_ok());
    f.app.call(Some(&clerk), Request::Logout(NoArgs {})).unwrap();
    assert_eq!(f.app.call(Some(&clerk), search()).unwrap_err().code(), "session.expired");
}

#[test]
fn the_audit_chain_finds_an_altered_a_removed_and_an_inserted_row() {
    let f = fixture();
    let clerk = f.login("clerk");
    for i in 0..3 {
        f.app.call(Some(&clerk), Request::CreateCustomer(common::draft(&format!("330000000{i}"), "张三"))).unwrap();
    }
    let manager = f.login("manager");
    let verify = || f.app.call(Some(&manager), Request::VerifyAudit(NoArgs {})).unwrap();
    let intact = verify();
    assert!(intact["first_broken"].is_null());
    let entries = intact["entries"].as_i64().unwrap();
    assert!(entries >= 8);

    let conn = rusqlite::Connection::open(f.db_path()).unwrap();
    let (seq, original): (i64, String) = conn
        .query_row("SELECT seq, detail FROM audit_log WHERE action = 'customer.create' ORDER BY seq LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let set_detail = |detail: &str| conn.execute("UPDATE audit_log SET detail = ?2 WHERE seq = ?1", (seq, detail)).unwrap();
    set_detail(r#"{"account":"3300000009"}"#);
    assert_eq!(verify()["first_broken"]["seq"], seq);
    set_detail(&original);
    assert!(verify()["first_broken"].is_null(), "restoring the original content heals the chain");

    conn.execute("DELETE FROM audit_log WHERE seq = ?1", [seq + 1]).unwrap();
    assert_eq!(verify()["first_broken"]["seq"], seq + 2, "the row after a removed one is reported");
}

#[test]
fn admins_manage_users_and_users_change_their_own_password() {
    let f = fixture();
    let admin = f.login("admin");
    let create = |username: &str, password: &str| {
        f.app.call(
            Some(&admin),
            Request::CreateUser(CreateUserArgs {
                username: username.into(),
                display_name: "刘芳".into(),
                role: hall::model::user::Role::Clerk,
                password: password.into(),
            }),
        )
    };
    assert_eq!(create("liufang", "short").unwrap_err().code(), "password.weak");
    assert_eq!(create("clerk", "longenough1").unwrap_err().code(), "username.taken");
    create("liufang", "longenough1").unwrap();
    let token =
        f.app.call(None, Request::Login(LoginArgs { username: "LiuFang".into(), password: "longenough1".into() })).unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned();
    let change = |current: &str| {
        f.app.call(
            Some(&token),
            Request::ChangeOwnPassword(ChangeOwnPasswordArgs { current_password: current.into(), new_password: "evenlonger22".into() }),
        )
    };
    assert_eq!(change("wrong").unwrap_err().code(), "password.wrong_current");
    change("longenough1").unwrap();
    assert!(f.app.call(None, Request::Login(LoginArgs { username: "liufang".into(), password: "evenlonger22".into() })).is_ok());
    let demote_self =
        f.app.call(Some(&admin), Request::SetUserRole(SetRoleArgs { username: "admin".into(), role: hall::model::user::Role::Clerk }));
    assert_eq!(demote_self.unwrap_err().code(), "role.self_demotion");
}

#[test]
fn malformed_json_gets_a_clear_error() {
    let f = fixture();
    let reply = dispatch_json(&f.app, None, r#"{"cmd":"customer.explode","args":{}}"#);
    let error = reply.error.unwrap();
    assert_eq!((error.kind.as_str(), error.messages[0].code.as_str()), ("invalid", "request.malformed"));
    let reply = dispatch_json(&f.app, None, r#"{"cmd":"session.login","args":{"username":"clerk","password":"clerk1234"}}"#);
    assert!(reply.ok.unwrap()["token"].is_string());
}

//! Lockouts told where they happen, the screen lock as a core state, and the administrator's user
//! administration: every action audited, refused to other roles, and its effect on sessions.

mod common;

use chrono::Duration;
use common::{Fixture, fixture};
use hall::api::*;
use hall::error::Error;
use hall::model::user::Role;

fn login(f: &Fixture, username: &str, password: &str) -> Result<serde_json::Value, Error> {
    f.app.call(None, Request::Login(LoginArgs { username: username.into(), password: password.into() }))
}

fn token_of(reply: serde_json::Value) -> String {
    reply["token"].as_str().unwrap().to_owned()
}

/// The refusal's one message in both languages.
fn texts(e: &Error) -> (String, String) {
    let m = &e.messages()[0];
    (m.zh.clone(), m.en.clone())
}

fn search() -> Request {
    Request::SearchCustomers(hall::store::search::SearchQuery { text: "张".into(), offset: 0, limit: 5 })
}

/// The rows a user action writes: users, sessions, outbox, audit.
fn counts(f: &Fixture) -> [i64; 4] {
    let store = f.app.store();
    ["users", "sessions", "outbox", "audit_log"]
        .map(|t| store.conn().query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap())
}

fn last_audit(f: &Fixture) -> String {
    f.app.store().conn().query_row("SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| r.get(0)).unwrap()
}

fn last_event(f: &Fixture) -> (String, serde_json::Value) {
    let events = hall::store::outbox::all(f.app.store().conn()).unwrap();
    let event = events.last().unwrap();
    (event.kind.clone(), serde_json::from_str(&event.payload).unwrap())
}

#[test]
fn the_login_says_the_account_is_locked_and_for_how_many_minutes() {
    let f = fixture();
    for _ in 0..4 {
        assert_eq!(login(&f, "clerk", "guess1234").unwrap_err().code(), "login.wrong");
    }
    // The fifth wrong password locks the account and says so at once: 15 minutes from now.
    let fifth = login(&f, "clerk", "guess1234").unwrap_err();
    assert_eq!(fifth.code(), "login.locked");
    assert_eq!(
        texts(&fifth),
        (
            "密码错误次数过多，账户已锁定，请15分钟后再试".into(),
            "Too many wrong passwords: the account is locked for 15 minutes more".into()
        )
    );
    // 5 min 30 s later 9 min 30 s are left, 570 s; rounded up that is 10 minutes.
    f.clock.advance(Duration::seconds(5 * 60 + 30));
    let right = login(&f, "clerk", "clerk1234").unwrap_err();
    assert_eq!(right.code(), "login.locked", "the right password waits out the lock too");
    assert!(texts(&right).0.contains("请10分钟后再试") && texts(&right).1.ends_with("for 10 minutes more"), "{right}");
    // At 14 min 30 s, 30 s are left: "1 minute", singular.
    f.clock.advance(Duration::minutes(9));
    assert!(texts(&login(&f, "clerk", "clerk1234").unwrap_err()).1.ends_with("for 1 minute more"));
    f.clock.advance(Duration::seconds(31));
    login(&f, "clerk", "clerk1234").unwrap();
}

#[test]
fn the_lock_screen_says_locked_even_for_the_right_password() {
    let f = fixture();
    let clerk = f.login("clerk");
    f.app.call(Some(&clerk), Request::LockSession(NoArgs {})).unwrap();
    let unlock = |password: &str| f.app.call(Some(&clerk), Request::Unlock(UnlockArgs { password: password.into() }));
    for _ in 0..4 {
        assert_eq!(unlock("guess1234").unwrap_err().code(), "unlock.wrong");
    }
    let fifth = unlock("guess1234").unwrap_err();
    assert_eq!((fifth.code(), fifth.messages()[0].field.as_deref()), ("login.locked".into(), Some("password")));
    f.clock.advance(Duration::minutes(3));
    // 12 minutes left: the right password is refused for the lockout, not as a wrong password.
    let right = unlock("clerk1234").unwrap_err();
    assert_eq!(right.code(), "login.locked");
    assert!(texts(&right).0.contains("请12分钟后再试"), "{right}");
    // The administrator lifts the lockout; the clerk unlocks the screen.
    let admin = f.login("admin");
    f.app.call(Some(&admin), Request::UnlockUser(UsernameArgs { username: "clerk".into() })).unwrap();
    assert_eq!(last_audit(&f), "user.unlock");
    unlock("clerk1234").unwrap();
    assert!(f.app.call(Some(&clerk), search()).is_ok());
}

#[test]
fn wrong_manager_passwords_at_an_approval_lock_the_manager_and_the_field_says_so() {
    let f = fixture();
    let clerk = f.login("clerk");
    let id = f.app.call(Some(&clerk), Request::CreateCustomer(common::draft("3300000001", "张三"))).unwrap()["view"]["customer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let close = |password: &str| {
        f.app.call(
            Some(&clerk),
            Request::CloseCustomer(CloseCustomerArgs {
                id: id.clone(),
                reason: "拆迁".into(),
                approval: ManagerApproval { username: "manager".into(), password: password.into() },
            }),
        )
    };
    for _ in 0..4 {
        let wrong = close("guess1234").unwrap_err();
        assert_eq!((wrong.code(), wrong.messages()[0].field.as_deref()), ("approval.denied".into(), Some("approval")));
        assert!(texts(&wrong).0.contains("连续输错5次，该主管账户将锁定15分钟"), "the field warns of the lockout: {wrong}");
    }
    let fifth = close("guess1234").unwrap_err();
    assert_eq!((fifth.code(), fifth.messages()[0].field.as_deref()), ("approval.locked".into(), Some("approval")));
    assert!(texts(&fifth).0.contains("该主管账户已锁定，请15分钟后再试"), "{fifth}");
    assert!(texts(&fifth).1.contains("locked this manager's account for 15 minutes more"), "{fifth}");
    f.clock.advance(Duration::minutes(1));
    assert!(texts(&close("manager1234").unwrap_err()).0.contains("请14分钟后再试"));
    assert_eq!(login(&f, "manager", "manager1234").unwrap_err().code(), "login.locked", "locked at the counter too");
}

#[test]
fn the_lock_button_locks_the_session_in_the_core_and_says_who_locked_it() {
    let f = fixture();
    let clerk = f.login("clerk");
    let locked = f.app.call(Some(&clerk), Request::LockSession(NoArgs {})).unwrap();
    assert_eq!((locked["locked"].as_bool(), locked["locked_by_user"].as_bool()), (Some(true), Some(true)));
    assert_eq!(last_audit(&f), "session.lock");
    let refused = f.app.call(Some(&clerk), search()).unwrap_err();
    assert_eq!(refused.code(), "session.locked", "a reload or a second client does not get past the lock");
    assert_eq!(texts(&refused).0, "屏幕已锁定，请输入密码解锁", "not the idle wording");
    let who = f.app.call(Some(&clerk), Request::WhoAmI(NoArgs {})).unwrap();
    assert_eq!((who["locked"].as_bool(), who["locked_by_user"].as_bool()), (Some(true), Some(true)));
    let unlocked = f.app.call(Some(&clerk), Request::Unlock(UnlockArgs { password: "clerk1234".into() })).unwrap();
    assert_eq!(unlocked["locked"], false);
    assert!(f.app.call(Some(&clerk), search()).is_ok());
    // Idleness is told apart.
    f.clock.advance(Duration::minutes(11));
    let who = f.app.call(Some(&clerk), Request::WhoAmI(NoArgs {})).unwrap();
    assert_eq!((who["locked"].as_bool(), who["locked_by_user"].as_bool()), (Some(true), Some(false)));
    assert_eq!(texts(&f.app.call(Some(&clerk), search()).unwrap_err()).0, "长时间未操作，屏幕已锁定，请输入密码解锁");
}

fn admin_requests() -> Vec<Request> {
    vec![
        Request::ListUsers(NoArgs {}),
        Request::CreateUser(CreateUserArgs {
            username: "eve".into(),
            display_name: "Eve".into(),
            role: Role::Admin,
            password: "password123".into(),
        }),
        Request::SetUserRole(SetRoleArgs { username: "clerk".into(), role: Role::Admin }),
        Request::SetUserPassword(SetPasswordArgs { username: "admin".into(), password: "password123".into() }),
        Request::UnlockUser(UsernameArgs { username: "admin".into() }),
        Request::SetUserActive(SetActiveArgs { username: "admin".into(), active: false }),
    ]
}

#[test]
fn user_administration_is_refused_to_clerks_and_managers_and_writes_nothing() {
    let f = fixture();
    for username in ["clerk", "manager", "hq"] {
        let token = f.login(username);
        let before = counts(&f);
        for request in admin_requests() {
            let name = request.name();
            assert_eq!(f.app.call(Some(&token), request).unwrap_err().code(), "role.denied", "{username} {name}");
        }
        assert_eq!(counts(&f), before, "{username}'s refused commands wrote nothing");
    }
}

#[test]
fn every_administrator_action_is_audited_and_record_changes_go_to_the_outbox() {
    let f = fixture();
    let admin = f.login("admin");
    let run = |request: Request| f.app.call(Some(&admin), request).unwrap();
    let outbox_len = || hall::store::outbox::all(f.app.store().conn()).unwrap().len();

    run(Request::CreateUser(CreateUserArgs {
        username: "liufang".into(),
        display_name: "刘芳".into(),
        role: Role::Clerk,
        password: "first1234".into(),
    }));
    assert_eq!(last_audit(&f), "user.create");
    assert_eq!(last_event(&f).0, "user.created");

    run(Request::SetUserRole(SetRoleArgs { username: "liufang".into(), role: Role::Manager }));
    assert_eq!(last_audit(&f), "user.role");
    assert_eq!((last_event(&f).0.as_str(), last_event(&f).1["role"].as_str()), ("user.updated", Some("manager")));

    let events = outbox_len();
    run(Request::SetUserPassword(SetPasswordArgs { username: "liufang".into(), password: "reset1234".into() }));
    assert_eq!(last_audit(&f), "user.password");
    run(Request::UnlockUser(UsernameArgs { username: "liufang".into() }));
    assert_eq!(last_audit(&f), "user.unlock");
    assert_eq!(outbox_len(), events, "a password and a lockout are not part of the user's record");

    run(Request::SetUserActive(SetActiveArgs { username: "liufang".into(), active: false }));
    assert_eq!(last_audit(&f), "user.disable");
    assert_eq!((last_event(&f).0.as_str(), last_event(&f).1["active"].as_bool()), ("user.updated", Some(false)));
    run(Request::SetUserActive(SetActiveArgs { username: "liufang".into(), active: true }));
    assert_eq!(last_audit(&f), "user.enable");
    assert_eq!(last_event(&f).1["active"], true);

    let list = run(Request::ListUsers(NoArgs {}));
    let liufang = list["users"].as_array().unwrap().iter().find(|u| u["user"]["username"] == "liufang").unwrap();
    assert_eq!((liufang["user"]["role"].as_str(), liufang["must_change_password"].as_bool()), (Some("manager"), Some(true)));
    let verification = f.app.call(Some(&admin), Request::VerifyAudit(NoArgs {})).unwrap();
    assert!(verification["first_broken"].is_null());
}

#[test]
fn the_list_shows_a_lockout_until_its_end() {
    let f = fixture();
    let admin = f.login("admin");
    for _ in 0..5 {
        login(&f, "clerk", "guess1234").unwrap_err();
    }
    let clerk_row = || {
        let list = f.app.call(Some(&admin), Request::ListUsers(NoArgs {})).unwrap();
        list["users"].as_array().unwrap().iter().find(|u| u["user"]["username"] == "clerk").unwrap().clone()
    };
    // Locked at 2026-03-02T01:30:00Z for 15 minutes.
    assert_eq!(clerk_row()["locked_until"], "2026-03-02T01:45:00.000Z");
    f.clock.advance(Duration::minutes(9));
    assert_eq!(clerk_row()["locked_until"], "2026-03-02T01:45:00.000Z");
    f.clock.advance(Duration::minutes(6));
    assert!(clerk_row()["locked_until"].is_null(), "a lock that has run out is not shown");
}

#[test]
fn a_reset_password_must_be_changed_before_anything_else() {
    let f = fixture();
    let admin = f.login("admin");
    let old_session = f.login("clerk");
    f.app.call(Some(&admin), Request::SetUserPassword(SetPasswordArgs { username: "clerk".into(), password: "temp12345".into() })).unwrap();
    assert_eq!(f.app.call(Some(&old_session), search()).unwrap_err().code(), "session.expired", "a reset ends the user's sessions");
    assert_eq!(login(&f, "clerk", "clerk1234").unwrap_err().code(), "login.wrong");

    let reply = login(&f, "clerk", "temp12345").unwrap();
    assert_eq!(reply["session"]["must_change_password"], true);
    let clerk = token_of(reply);
    let refused = f.app.call(Some(&clerk), search()).unwrap_err();
    assert_eq!(refused.code(), "password.must_change");
    assert_eq!(f.app.call(Some(&clerk), Request::WorkstationStatus(NoArgs {})).unwrap_err().code(), "password.must_change");
    assert_eq!(f.app.call(Some(&clerk), Request::WhoAmI(NoArgs {})).unwrap()["must_change_password"], true);
    let change = |current: &str, new: &str| {
        f.app.call(
            Some(&clerk),
            Request::ChangeOwnPassword(ChangeOwnPasswordArgs { current_password: current.into(), new_password: new.into() }),
        )
    };
    assert_eq!(change("temp12345", "temp12345").unwrap_err().code(), "password.unchanged");
    assert_eq!(change("temp12345", "short").unwrap_err().code(), "password.weak");
    assert_eq!(f.app.call(Some(&clerk), search()).unwrap_err().code(), "password.must_change", "still refused");
    change("temp12345", "mine45678").unwrap();
    assert!(f.app.call(Some(&clerk), search()).is_ok());
    assert_eq!(f.app.call(Some(&clerk), Request::WhoAmI(NoArgs {})).unwrap()["must_change_password"], false);
    assert_eq!(login(&f, "clerk", "mine45678").unwrap()["session"]["must_change_password"], false);
}

#[test]
fn a_new_user_changes_the_first_password_at_the_first_login() {
    let f = fixture();
    let admin = f.login("admin");
    let create =
        CreateUserArgs { username: "liufang".into(), display_name: "刘芳".into(), role: Role::Clerk, password: "first1234".into() };
    f.app.call(Some(&admin), Request::CreateUser(create)).unwrap();
    let reply = login(&f, "liufang", "first1234").unwrap();
    assert_eq!(reply["session"]["must_change_password"], true);
    assert_eq!(f.app.call(Some(&token_of(reply)), search()).unwrap_err().code(), "password.must_change");
}

#[test]
fn disabling_refuses_the_login_and_ends_the_sessions_and_enabling_allows_a_new_login() {
    let f = fixture();
    let admin = f.login("admin");
    let clerk = f.login("clerk");
    let set_active = |active| f.app.call(Some(&admin), Request::SetUserActive(SetActiveArgs { username: "clerk".into(), active }));
    set_active(false).unwrap();
    assert_eq!(f.app.call(Some(&clerk), search()).unwrap_err().code(), "session.expired");
    assert_eq!(login(&f, "clerk", "clerk1234").unwrap_err().code(), "login.disabled");
    let list = f.app.call(Some(&admin), Request::ListUsers(NoArgs {})).unwrap();
    assert!(list["users"].as_array().unwrap().iter().any(|u| u["user"]["username"] == "clerk" && u["user"]["active"] == false));
    set_active(true).unwrap();
    assert_eq!(f.app.call(Some(&clerk), search()).unwrap_err().code(), "session.expired", "the old session stays ended");
    let again = token_of(login(&f, "clerk", "clerk1234").unwrap());
    assert!(f.app.call(Some(&again), search()).is_ok());
}

#[test]
fn an_administrator_cannot_disable_demote_or_reset_themselves_nor_remove_the_last_administrator() {
    let f = fixture();
    let admin = f.login("admin");
    let before = counts(&f);
    let call = |request| f.app.call(Some(&admin), request).unwrap_err().code();
    assert_eq!(call(Request::SetUserActive(SetActiveArgs { username: "Admin".into(), active: false })), "user.self_disable");
    assert_eq!(call(Request::SetUserRole(SetRoleArgs { username: "admin".into(), role: Role::Manager })), "role.self_demotion");
    assert_eq!(
        call(Request::SetUserPassword(SetPasswordArgs { username: "admin".into(), password: "other1234".into() })),
        "user.self_reset"
    );
    assert_eq!(counts(&f), before);

    // The store refuses to take away the last active administrator whoever asks (the command
    // line has no caller to compare with).
    let actor = hall::store::Actor { user_id: None, at: common::start_time() };
    let mut store = f.app.store();
    let last = store.write(|tx| hall::store::users::set_active(tx, &actor, "admin", false)).unwrap_err();
    assert_eq!(last.code(), "user.last_admin");
    let last = store.write(|tx| hall::store::users::set_role(tx, &actor, "admin", Role::Clerk)).unwrap_err();
    assert_eq!(last.code(), "user.last_admin");
    drop(store);

    // With a second administrator, one may disable the other.
    let create =
        CreateUserArgs { username: "admin2".into(), display_name: "钱二".into(), role: Role::Admin, password: "second1234".into() };
    f.app.call(Some(&admin), Request::CreateUser(create)).unwrap();
    f.app.call(Some(&admin), Request::SetUserActive(SetActiveArgs { username: "admin2".into(), active: false })).unwrap();
}

#[test]
fn the_session_tells_the_ui_which_commands_its_role_may_run() {
    let f = fixture();
    let allowed = |username: &str| {
        let reply = login(&f, username, hall::demo::USERS.iter().find(|u| u.0 == username).unwrap().3).unwrap();
        reply["session"]["allowed"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    let has = |list: &[String], name: &str| list.iter().any(|n| n == name);
    let clerk = allowed("clerk");
    assert!(has(&clerk, "customer.search") && has(&clerk, "payment.post") && has(&clerk, "session.lock"));
    for name in ["dayend.close", "customers.import", "customers.export", "customer.reveal", "user.list", "audit.verify"] {
        assert!(!has(&clerk, name), "clerk: {name}");
    }
    let manager = allowed("manager");
    assert!(has(&manager, "dayend.close") && has(&manager, "customer.reveal") && !has(&manager, "user.list"));
    let admin = allowed("admin");
    assert!(has(&admin, "user.list") && has(&admin, "user.set_active") && has(&admin, "dayend.close"));
    // One source of truth: the list is the command table's, so a refused command is never in it.
    let token = f.login("clerk");
    for request in admin_requests() {
        let name = request.name();
        assert!(!has(&clerk, name));
        assert_eq!(f.app.call(Some(&token), request).unwrap_err().code(), "role.denied");
    }
}

#[test]
fn a_manager_whose_password_an_administrator_set_cannot_authorise_until_it_is_changed() {
    let f = fixture();
    let admin = f.login("admin");
    f.app
        .call(Some(&admin), Request::SetUserPassword(SetPasswordArgs { username: "manager".into(), password: "known1234".into() }))
        .unwrap();
    let clerk = f.login("clerk");
    let id = f.app.call(Some(&clerk), Request::CreateCustomer(common::draft("3300000001", "张三"))).unwrap()["view"]["customer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let close = || {
        f.app.call(
            Some(&clerk),
            Request::CloseCustomer(CloseCustomerArgs {
                id: id.clone(),
                reason: "拆迁".into(),
                approval: ManagerApproval { username: "manager".into(), password: "known1234".into() },
            }),
        )
    };
    assert_eq!(close().unwrap_err().code(), "approval.must_change");
    let manager = token_of(login(&f, "manager", "known1234").unwrap());
    let change = ChangeOwnPasswordArgs { current_password: "known1234".into(), new_password: "mine12345".into() };
    f.app.call(Some(&manager), Request::ChangeOwnPassword(change)).unwrap();
    let approval = ManagerApproval { username: "manager".into(), password: "mine12345".into() };
    f.app.call(Some(&clerk), Request::CloseCustomer(CloseCustomerArgs { id: id.clone(), reason: "拆迁".into(), approval })).unwrap();
}

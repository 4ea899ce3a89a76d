//! The command set: one typed request and response per user action, and one [`dispatch`].
//!
//! The desktop shell and `hall serve` pass the UI's `{cmd, args}` JSON to [`dispatch_json`];
//! the command line and tests call [`App::call`] with typed values. Either way the session and the
//! caller's role are checked here, for every command, before anything runs.

mod applications;
mod arrears;
mod attachments;
mod authorisation;
pub mod backup;
mod billing;
mod calendar;
mod customers;
mod desk;
mod inspections;
mod payments;
mod relationship;
mod service;
mod session;
mod settings;
mod sync;
mod system;
mod transfer;
mod users;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use applications::*;
pub use arrears::*;
pub use attachments::*;
pub use authorisation::{ManagerApproval, authorise};
pub use billing::*;
pub use calendar::*;
pub use customers::*;
pub use desk::*;
pub use inspections::*;
pub use payments::*;
pub use relationship::*;
pub use service::*;
pub use session::*;
pub use settings::*;
pub use sync::*;
pub use system::*;
pub use transfer::*;
pub use users::*;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result, UserMessage};
use crate::model::user::{Role, User};
use crate::store::{Actor, Store};

/// The running workstation: its store and its clock.
pub struct App {
    store: Mutex<Store>,
    clock: Arc<dyn Clock>,
    /// Held while a backup copies or a restore replaces the database: one at a time.
    backup_running: Mutex<()>,
    /// Imports in progress, by the key the UI gave: read without the store's lock.
    imports: transfer::Progress,
    /// The background sync task's progress and wake-up (`api::sync::start`), outside the store's lock.
    sync: crate::sync::Handle,
}

impl App {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> App {
        App { store: Mutex::new(store), clock, backup_running: Mutex::new(()), imports: Default::default(), sync: Default::default() }
    }

    pub fn open(path: &Path) -> Result<App> {
        Ok(App::new(Store::open(path)?, Arc::new(SystemClock)))
    }

    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    /// The store, for the command line's own maintenance tasks. A poisoned lock (a panic in
    /// another thread mid-command) is recovered: SQLite rolled that transaction back.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn actor(&self, user: Option<&User>) -> Actor {
        Actor { user_id: user.map(|u| u.id.clone()), at: self.clock.now() }
    }

    /// Runs one typed command for the holder of `token`.
    pub fn call(&self, token: Option<&str>, request: Request) -> Result<serde_json::Value> {
        dispatch(self, token, request)
    }
}

/// Who may run a command.
#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// Anyone, logged in or not (logging in itself).
    Public,
    /// Any logged-in user whose session is not locked.
    AnyUser,
    /// A logged-in user whose session may be locked (unlocking, logging out).
    EvenLocked,
    /// A logged-in user whose session is not locked, even one who must first change the password
    /// an administrator set (changing it). [`Access::AnyUser`] and [`Access::Roles`] refuse them.
    OwnAccount,
    /// Only these roles.
    Roles(&'static [Role]),
}

impl Access {
    /// Whether a user of `role` may run a command of this access (given a valid session).
    pub fn admits(self, role: Role) -> bool {
        match self {
            Access::Roles(roles) => roles.contains(&role),
            Access::Public | Access::AnyUser | Access::EvenLocked | Access::OwnAccount => true,
        }
    }
}

/// The names of the commands a user of `role` may run, in table order (the UI's `can`).
pub fn allowed_commands(role: Role) -> Vec<String> {
    COMMAND_ACCESS.iter().filter(|(_, access)| access.admits(role)).map(|(name, _)| (*name).to_owned()).collect()
}

/// The logged-in user a command runs for.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub session: crate::store::sessions::Session,
    /// Idle past the lock time or locked by the user; only commands with [`Access::EvenLocked`]
    /// reach a handler then.
    pub lock: Option<Lock>,
}

const COUNTER: &[Role] = &[Role::Clerk, Role::Manager, Role::Admin, Role::HeadOffice];
const STAFF_ADMIN: &[Role] = &[Role::Admin];
const AUDITORS: &[Role] = &[Role::Manager, Role::Admin, Role::HeadOffice];
pub(crate) const MANAGERS: &[Role] = &[Role::Manager, Role::Admin];
/// The people at the counter who act on customers' affairs (not administrators or head office).
const HALL_STAFF: &[Role] = &[Role::Clerk, Role::Manager];
/// The branch manager alone (a disconnection is the manager's decision).
const BRANCH_MANAGER: &[Role] = &[Role::Manager];

macro_rules! commands {
    ($($name:literal => $variant:ident($args:ty) -> $result:ty, $access:expr, $handler:path;)+) => {
        /// Every user action, as the UI sends it: `{"cmd": "...", "args": {...}}`.
        #[derive(Debug, Clone, Deserialize)]
        #[serde(tag = "cmd", content = "args")]
        pub enum Request {
            $(#[serde(rename = $name)] $variant($args),)+
        }

        /// Every command's name and who may run it, in table order.
        pub const COMMAND_ACCESS: &[(&str, Access)] = &[$(($name, $access),)+];

        impl Request {
            pub fn name(&self) -> &'static str {
                match self { $(Request::$variant(_) => $name,)+ }
            }

            pub fn access(&self) -> Access {
                match self { $(Request::$variant(_) => $access,)+ }
            }
        }

        fn run(app: &App, caller: Option<&Caller>, request: Request) -> Result<serde_json::Value> {
            match request {
                $(Request::$variant(args) => {
                    let result: $result = $handler(app, caller, args)?;
                    Ok(serde_json::to_value(result)?)
                })+
            }
        }

        /// Writes the TypeScript types of every command's arguments and result (and what they
        /// use) into `dir`, with `commands.ts` mapping each command name to its types, so that the
        /// UI's `invoke` is typed end to end from these Rust types.
        pub fn export_typescript(dir: &Path) -> std::result::Result<(), ts_rs::ExportError> {
            let cfg = ts_rs::Config::new().with_large_int("number").with_out_dir(dir);
            let mut imports = std::collections::BTreeSet::new();
            let mut entries = String::new();
            $(
                <$args as TS>::export_all(&cfg)?;
                <$result as TS>::export_all(&cfg)?;
                let args = <$args as TS>::name(&cfg);
                let result = <$result as TS>::name(&cfg);
                imports.insert(args.clone());
                imports.insert(result.clone());
                entries.push_str(&format!("  \"{}\": {{ args: {}; result: {} }};\n", $name, args, result));
            )+
            <Reply as TS>::export_all(&cfg)?;
            let imports: String = imports.iter().map(|t| format!("import type {{ {t} }} from \"./{t}\";\n")).collect();
            let map = format!(
                "// Generated from src/api/mod.rs by `cargo test`; do not edit.\n{imports}\nexport type Commands = {{\n{entries}}};\n\nexport type CommandName = keyof Commands;\n"
            );
            std::fs::write(dir.join("commands.ts"), map).map_err(ts_rs::ExportError::from)
        }
    };
}

commands! {
    "session.login" => Login(LoginArgs) -> LoginResult, Access::Public, session::login;
    "session.logout" => Logout(NoArgs) -> Done, Access::EvenLocked, session::logout;
    "session.unlock" => Unlock(UnlockArgs) -> SessionInfo, Access::EvenLocked, session::unlock;
    "session.whoami" => WhoAmI(NoArgs) -> SessionInfo, Access::EvenLocked, session::whoami;
    "session.lock" => LockSession(NoArgs) -> SessionInfo, Access::EvenLocked, session::lock;
    "customer.search" => SearchCustomers(crate::store::search::SearchQuery) -> crate::store::search::SearchPage, Access::Roles(COUNTER), customers::search;
    "customer.get" => GetCustomer(CustomerRef) -> CustomerView, Access::Roles(COUNTER), customers::get;
    "customer.by_account" => CustomerByAccount(AccountRef) -> CustomerView, Access::Roles(COUNTER), customers::by_account;
    "customer.reveal" => RevealCustomer(CustomerRef) -> CustomerView, Access::Roles(AUDITORS), customers::reveal;
    "customer.check" => CheckCustomer(crate::model::customer::CustomerDraft) -> DraftCheck, Access::Roles(COUNTER), customers::check;
    "customer.create" => CreateCustomer(crate::model::customer::CustomerDraft) -> Saved, Access::Roles(COUNTER), customers::create;
    "customer.update" => UpdateCustomer(UpdateCustomerArgs) -> Saved, Access::Roles(COUNTER), customers::update;
    "customer.close" => CloseCustomer(CloseCustomerArgs) -> CustomerView, Access::Roles(COUNTER), customers::close;
    "customer.history" => CustomerHistory(CustomerRef) -> HistoryList, Access::Roles(COUNTER), customers::history;
    "user.list" => ListUsers(NoArgs) -> UserList, Access::Roles(STAFF_ADMIN), users::list;
    "user.create" => CreateUser(CreateUserArgs) -> User, Access::Roles(STAFF_ADMIN), users::create;
    "user.set_role" => SetUserRole(SetRoleArgs) -> User, Access::Roles(STAFF_ADMIN), users::set_role;
    "user.set_password" => SetUserPassword(SetPasswordArgs) -> User, Access::Roles(STAFF_ADMIN), users::set_password;
    "user.set_active" => SetUserActive(SetActiveArgs) -> User, Access::Roles(STAFF_ADMIN), users::set_active;
    "user.unlock" => UnlockUser(UsernameArgs) -> User, Access::Roles(STAFF_ADMIN), users::unlock;
    "user.change_own_password" => ChangeOwnPassword(ChangeOwnPasswordArgs) -> Done, Access::OwnAccount, users::change_own_password;
    "user.assignable" => AssignableUsers(NoArgs) -> AssignableList, Access::Roles(MANAGERS), users::assignable;
    "audit.verify" => VerifyAudit(NoArgs) -> crate::store::audit::Verification, Access::Roles(AUDITORS), system::verify_audit;
    "audit.recent" => RecentAudit(RecentArgs) -> AuditEntries, Access::Roles(AUDITORS), system::recent_audit;
    "workstation.status" => WorkstationStatus(NoArgs) -> StatusInfo, Access::AnyUser, system::status;
    "system.catalog" => Catalog(NoArgs) -> Catalog, Access::Public, system::catalog;
    "customers.import" => ImportCustomers(ImportArgs) -> crate::transfer::ImportReport, Access::Roles(MANAGERS), transfer::import_customers;
    "customers.export" => ExportCustomers(FileArgs) -> ExportResult, Access::Roles(MANAGERS), transfer::export_customers;
    "tariff.list" => ListTariffs(NoArgs) -> TariffList, Access::Roles(COUNTER), billing::tariffs;
    "bill.list" => ListBills(BillsArgs) -> BillList, Access::Roles(COUNTER), billing::list;
    "reading.enter" => EnterReading(crate::store::billing::ReadingInput) -> crate::store::billing::Bill, Access::Roles(COUNTER), billing::enter_reading;
    "late_fee.waive" => WaiveLateFee(WaiveArgs) -> Done, Access::Roles(COUNTER), billing::waive_late_fee;
    "payment.quote" => QuotePayment(QuoteArgs) -> crate::store::payments::Quote, Access::Roles(COUNTER), payments::quote;
    "payment.post" => PostPayment(crate::store::payments::PostPayment) -> crate::store::payments::Payment, Access::Roles(COUNTER), payments::post;
    "payment.list" => ListPayments(QuoteArgs) -> PaymentList, Access::Roles(COUNTER), payments::list;
    "payment.get" => GetPayment(ReceiptRef) -> crate::store::payments::Payment, Access::Roles(COUNTER), payments::get;
    "payment.reverse" => ReversePayment(ReverseArgs) -> crate::store::payments::Payment, Access::Roles(COUNTER), payments::reverse;
    "prepayment.refund" => RefundPrepayment(RefundArgs) -> crate::store::payments::Payment, Access::Roles(COUNTER), payments::refund;
    "receipt.render" => RenderReceipt(RenderArgs) -> ReceiptPreview, Access::Roles(COUNTER), payments::render_receipt;
    "receipt.print" => PrintReceipt(PrintArgs) -> Printed, Access::Roles(COUNTER), payments::print_receipt;
    "receipt.save" => SaveReceipt(SaveArgs) -> Printed, Access::Roles(COUNTER), payments::save_receipt;
    "receipt.verify" => VerifyReceipt(VerifyArgs) -> Verified, Access::Roles(COUNTER), payments::verify;
    "printer.list" => ListPrinters(NoArgs) -> PrinterList, Access::Roles(COUNTER), payments::printers;
    "desk.current" => CurrentDesk(NoArgs) -> DeskState, Access::Roles(COUNTER), desk::current;
    "desk.open" => OpenDesk(OpenDeskArgs) -> DeskState, Access::Roles(COUNTER), desk::open;
    "desk.move_cash" => MoveCash(MoveCashArgs) -> DeskState, Access::Roles(COUNTER), desk::move_cash;
    "desk.close" => CloseDesk(CloseDeskArgs) -> crate::store::desk::DeskSession, Access::Roles(COUNTER), desk::close;
    "dayend.report" => DayEndReport(DayArgs) -> crate::store::dayend::DayReport, Access::Roles(COUNTER), desk::report;
    "dayend.pdf" => DayEndPdf(DayPdfArgs) -> PdfFile, Access::Roles(COUNTER), desk::pdf;
    "dayend.close" => CloseDay(DayArgs) -> crate::store::dayend::DayReport, Access::Roles(MANAGERS), desk::close_day;
    "dayend.reopen" => ReopenDay(ReopenDayArgs) -> crate::store::dayend::DayReport, Access::Roles(COUNTER), desk::reopen_day;
    "settings.get" => GetSettings(NoArgs) -> SettingList, Access::AnyUser, settings::get;
    "settings.set" => SetSetting(SetSettingArgs) -> crate::store::settings::SettingValue, Access::AnyUser, settings::set;
    "backup.status" => BackupStatus(NoArgs) -> backup::BackupStatus, Access::Roles(MANAGERS), backup::status;
    "backup.run" => RunBackup(NoArgs) -> backup::BackupStatus, Access::Roles(STAFF_ADMIN), backup::run_now;
    "backup.restore" => RestoreBackup(backup::RestoreArgs) -> backup::Restored, Access::Roles(STAFF_ADMIN), backup::restore;
    "bills.import" => ImportBills(ImportArgs) -> crate::transfer::ImportReport, Access::Roles(MANAGERS), transfer::import_bills;
    "import.progress" => ImportProgress(ProgressArgs) -> ImportProgress, Access::Public, transfer::progress;
    "calendar.status" => CalendarStatus(NoArgs) -> CalendarStatus, Access::AnyUser, calendar::status;
    "calendar.load" => LoadCalendar(LoadCalendarArgs) -> CalendarStatus, Access::Roles(MANAGERS), calendar::load;
    "attachment.add" => AddAttachment(AddAttachmentArgs) -> AttachmentInfo, Access::Roles(COUNTER), attachments::add;
    "attachment.content" => AttachmentContent(AttachmentRef) -> AttachmentContent, Access::Roles(COUNTER), attachments::content;
    "attachment.thumbnail" => AttachmentThumbnail(AttachmentRef) -> AttachmentContent, Access::Roles(COUNTER), attachments::thumbnail;
    "application.requirements" => ApplicationRequirements(RequirementsArgs) -> Requirements, Access::Roles(COUNTER), applications::requirements;
    "application.create" => CreateApplication(crate::model::application::ApplicationDraft) -> ApplicationView, Access::Roles(COUNTER), applications::create;
    "application.get" => GetApplication(ApplicationRef) -> ApplicationView, Access::Roles(COUNTER), applications::get;
    "application.by_number" => ApplicationByNumber(ApplicationNumberRef) -> ApplicationView, Access::Roles(COUNTER), applications::by_number;
    "application.act" => ActOnApplication(ActArgs) -> ApplicationView, Access::Roles(COUNTER), applications::act;
    "application.list" => ListApplications(ListArgs) -> ApplicationList, Access::Roles(COUNTER), applications::list;
    "application.counts" => ApplicationCounts(NoArgs) -> DueCounts, Access::Roles(COUNTER), applications::counts;
    "application.slip" => ApplicationSlip(ApplicationRef) -> PdfFile, Access::Roles(COUNTER), applications::slip;
    "service.plan" => PlanServiceRequest(DeadlinePlanArgs) -> DeadlinePlan, Access::Roles(COUNTER), service::plan;
    "service.create" => CreateServiceRequest(crate::model::service::RequestDraft) -> RequestView, Access::Roles(COUNTER), service::create;
    "service.get" => GetServiceRequest(RequestRef) -> RequestView, Access::Roles(COUNTER), service::get;
    "service.by_number" => ServiceRequestByNumber(RequestNumberRef) -> RequestView, Access::Roles(COUNTER), service::by_number;
    "service.act" => ActOnServiceRequest(RequestActArgs) -> RequestView, Access::Roles(COUNTER), service::act;
    "service.list" => ListServiceRequests(RequestListArgs) -> RequestList, Access::Roles(COUNTER), service::list;
    "service.counts" => ServiceRequestCounts(NoArgs) -> RequestCounts, Access::Roles(COUNTER), service::counts;
    "arrears.aging" => ArrearsAging(NoArgs) -> AgingReport, Access::Roles(COUNTER), arrears::aging;
    "arrears.list" => ListArrears(ArrearsListArgs) -> ArrearsList, Access::Roles(COUNTER), arrears::list;
    "arrears.status" => ArrearsOfCustomer(CustomerRef) -> ArrearsStatus, Access::Roles(COUNTER), arrears::status;
    "arrears.print" => PrintNotices(PrintNoticesArgs) -> PrintedNotices, Access::Roles(HALL_STAFF), arrears::print;
    "arrears.disconnect" => Disconnect(CustomerRef) -> crate::store::arrears::Disconnection, Access::Roles(BRANCH_MANAGER), arrears::disconnect;
    "arrears.reconnected" => Reconnected(DisconnectionRef) -> crate::store::arrears::Disconnection, Access::Roles(HALL_STAFF), arrears::reconnected;
    "arrears.reconnections" => Reconnections(NoArgs) -> ReconnectionList, Access::Roles(COUNTER), arrears::reconnections;
    "inspection.due" => DueInspectionList(NoArgs) -> DueInspections, Access::Roles(COUNTER), inspections::due;
    "inspection.record" => RecordInspection(crate::store::inspections::InspectionInput) -> crate::store::inspections::Inspection, Access::Roles(HALL_STAFF), inspections::record;
    "inspection.get" => GetInspection(InspectionRef) -> crate::store::inspections::Inspection, Access::Roles(COUNTER), inspections::get;
    "inspection.follow_up" => FollowUpDefect(crate::store::inspections::FollowUp) -> crate::store::inspections::Defect, Access::Roles(HALL_STAFF), inspections::follow_up;
    "inspection.defects" => ListDefects(DefectsArgs) -> DefectList, Access::Roles(COUNTER), inspections::defects;
    "customer.relationship" => CustomerRelationship(CustomerRef) -> Relationship, Access::Roles(COUNTER), relationship::relationship;
    "inspection.notice" => RectificationNotice(InspectionRef) -> PdfFile, Access::Roles(COUNTER), inspections::notice;
    "sync.status" => GetSyncStatus(NoArgs) -> SyncStatus, Access::AnyUser, sync::status;
    "sync.now" => SyncNow(NoArgs) -> SyncStatus, Access::Roles(COUNTER), sync::now;
    // Public for the first-start screen (no user exists yet); the handler refuses an enrolled
    // workstation, and one holding its own records, unless an administrator calls it.
    "sync.enrol" => Enrol(EnrolArgs) -> SyncStatus, Access::Public, sync::enrol;
    "setup.state" => GetSetupState(NoArgs) -> SetupState, Access::Public, sync::setup_state;
    "setup.demo" => SetupDemo(NoArgs) -> SetupState, Access::Public, sync::setup_demo;
}

/// Arguments of commands that take none.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct NoArgs {}

/// The result of commands that return nothing.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Done {
    pub ok: bool,
}

/// The error as the UI receives it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ApiError {
    /// `invalid`, `denied`, `not_found`, `conflict` or `internal`.
    pub kind: String,
    pub messages: Vec<UserMessage>,
}

impl From<&Error> for ApiError {
    fn from(e: &Error) -> Self {
        ApiError { kind: e.kind().to_owned(), messages: e.messages() }
    }
}

/// The reply envelope for JSON transports: exactly one of `ok` and `error`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Reply {
    pub ok: Option<serde_json::Value>,
    pub error: Option<ApiError>,
}

/// Checks the session and role for `request`, then runs it.
pub fn dispatch(app: &App, token: Option<&str>, request: Request) -> Result<serde_json::Value> {
    let caller = match request.access() {
        Access::Public => None,
        access => Some(session::authorise_caller(app, token, access)?),
    };
    if let Some(caller) = &caller
        && !request.access().admits(caller.user.role)
    {
        return Err(Error::Denied(UserMessage::new(
            "role.denied",
            format!("当前角色（{}）无权执行此操作", caller.user.role.label(crate::error::Lang::ZhCn)),
            format!("Your role ({}) may not do this", caller.user.role.label(crate::error::Lang::En)),
        )));
    }
    let result = run(app, caller.as_ref(), request);
    if let Err(Error::Internal(detail)) = &result {
        eprintln!("internal error: {detail}");
    }
    result
}

/// The JSON transport: parses `{cmd, args}`, dispatches, and always answers with a [`Reply`].
pub fn dispatch_json(app: &App, token: Option<&str>, body: &str) -> Reply {
    let outcome = serde_json::from_str::<Request>(body)
        .map_err(|e| Error::invalid(UserMessage::new("request.malformed", format!("请求格式错误：{e}"), format!("Malformed request: {e}"))))
        .and_then(|request| dispatch(app, token, request));
    match outcome {
        Ok(value) => Reply { ok: Some(value), error: None },
        Err(e) => Reply { ok: None, error: Some(ApiError::from(&e)) },
    }
}

/// The caller a command needs, or the denial to return.
pub(crate) fn require_caller(caller: Option<&Caller>) -> Result<&Caller> {
    caller.ok_or_else(|| Error::Denied(UserMessage::new("session.required", "请先登录", "Please log in first")))
}

#[cfg(test)]
mod tests {
    /// The UI's TypeScript types are generated from the Rust types; this keeps the committed copy
    /// current (CI then fails on `git diff` if someone forgot to commit it).
    #[test]
    fn typescript_types_are_exported() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/api/generated");
        std::fs::create_dir_all(&dir).unwrap();
        super::export_typescript(&dir).unwrap();
        let map = std::fs::read_to_string(dir.join("commands.ts")).unwrap();
        assert!(map.contains("\"customer.search\": { args: SearchQuery; result: SearchPage };"), "{map}");
        let customer = std::fs::read_to_string(dir.join("Customer.ts")).unwrap();
        assert!(customer.contains("version: number"), "{customer}");
    }
}

//! Enrolment: a one-time code from head office is exchanged for this workstation's credential.
//! The workstation keeps its own id and registers its receipt-signing public key; it adopts the
//! outlet's code and its counter number from the answer.

use base64::Engine;
use chrono::{DateTime, Utc};
use hall_protocol::enrol::{EnrolRequest, EnrolResponse};

use super::client::HeadOffice;
use crate::clock::stamp;
use crate::error::{Error, Result, UserMessage};
use crate::store::sync_state::{self, Enrolment};
use crate::store::{Store, receipts};

/// What the exchange needs from the store, read before the network is used (the caller holds no
/// lock across the exchange).
#[derive(Debug, Clone)]
pub struct Applicant {
    pub request: EnrolRequest,
    pub outlet_code: String,
    pub holds_own_records: bool,
}

/// Checks that this workstation may enrol and makes its request.
pub fn prepare(store: &Store, code: &str) -> Result<Applicant> {
    if let Some(enrolment) = sync_state::enrolment(store.conn())?
        && sync_state::attempts(store.conn())?.fenced.is_none()
    {
        return Err(Error::Conflict(UserMessage::new(
            "enrol.already",
            format!("本机已向总部 {} 注册", enrolment.url),
            format!("This workstation is already enrolled with {}", enrolment.url),
        )));
    }
    let code = code.trim();
    if code.is_empty() {
        return Err(Error::invalid(UserMessage::new("enrol.code", "请填写注册码", "The enrolment code is required").at("code")));
    }
    let workstation = store.workstation()?;
    let holds_own_records = sync_state::holds_own_records(store.conn())?;
    // Records made under no outlet at all (a counter never given one) cannot be any outlet's:
    // refuse before the one-time code is used up.
    if holds_own_records && workstation.outlet_code == "000000" {
        return Err(other_outlet(&workstation.outlet_code, "?"));
    }
    let public = receipts::signing_key(store.conn())?.verifying_key();
    let request = EnrolRequest {
        code: code.to_owned(),
        workstation_id: workstation.workstation_id,
        epoch: workstation.epoch,
        receipt_public_key: base64::engine::general_purpose::STANDARD.encode(public.to_bytes()),
        hostname: gethostname::gethostname().to_string_lossy().into_owned(),
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    Ok(Applicant { request, outlet_code: workstation.outlet_code, holds_own_records })
}

/// Exchanges the code at head office (network; no store involved).
pub fn exchange(office: &HeadOffice, applicant: &Applicant) -> Result<EnrolResponse> {
    let response = office.enrol(&applicant.request)?;
    if response.workstation_id != applicant.request.workstation_id {
        return Err(Error::Internal(format!(
            "head office enrolled workstation {} instead of {}",
            response.workstation_id, applicant.request.workstation_id
        )));
    }
    Ok(response)
}

/// Stores the enrolment: the credential, the outlet's code and the counter number, in one
/// transaction. Refused when this database holds its own records made under another outlet.
pub fn adopt(store: &mut Store, url: &str, ca_pem: Option<&str>, response: &EnrolResponse, now: DateTime<Utc>) -> Result<()> {
    let workstation = store.workstation()?;
    if workstation.outlet_code != response.outlet_code && sync_state::holds_own_records(store.conn())? {
        return Err(other_outlet(&workstation.outlet_code, &response.outlet_code));
    }
    let enrolment = Enrolment {
        url: url.trim().trim_end_matches('/').to_owned(),
        credential: response.credential.clone(),
        ca_pem: ca_pem.map(str::to_owned),
        outlet_name: response.outlet_name.clone(),
        areas: response.areas.clone(),
        enrolled_at: stamp(now),
    };
    let actor = crate::store::Actor { user_id: None, at: now };
    store.write(|tx| {
        sync_state::set_enrolment(tx, &enrolment)?;
        tx.execute("UPDATE workstation SET outlet_code = ?1, counter_no = ?2", (&response.outlet_code, response.counter_no))?;
        crate::store::audit::append(
            tx,
            &actor,
            "sync.enrol",
            &response.workstation_id,
            &serde_json::json!({ "url": enrolment.url, "outlet": response.outlet_code, "counter_no": response.counter_no }),
        )
    })
}

pub fn other_outlet(local: &str, enrolled: &str) -> Error {
    Error::Conflict(UserMessage::new(
        "enrol.other_outlet",
        format!("本机数据库已有网点 {local} 的业务记录，不能注册到另一网点（{enrolled}）；请使用新的数据库"),
        format!(
            "This database holds records of outlet {local} and cannot be enrolled into another outlet ({enrolled}); use a new database"
        ),
    ))
}

/// The whole enrolment for a caller that owns the store (the command line).
pub fn enrol(store: &mut Store, url: &str, code: &str, ca_pem: Option<&str>, now: DateTime<Utc>) -> Result<EnrolResponse> {
    let applicant = prepare(store, code)?;
    let office = HeadOffice::new(url, ca_pem, None)?;
    let response = exchange(&office, &applicant)?;
    adopt(store, url, ca_pem, &response, now)?;
    Ok(response)
}

//! The OpenAPI description, generated from the protocol types and the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Service hall head office sync", version = "1", description = "The sync protocol between service-hall workstations and head office (hall_protocol)."),
    paths(crate::enrol::enrol, crate::push::push, crate::push::state, crate::pull::changes, crate::pull::snapshot),
    components(schemas(
        hall_protocol::ErrorBody,
        hall_protocol::enrol::EnrolRequest, hall_protocol::enrol::EnrolResponse,
        hall_protocol::push::PushRequest, hall_protocol::push::PushResponse, hall_protocol::push::WireEvent,
        hall_protocol::push::WorkstationState, hall_protocol::push::SeqRange, hall_protocol::push::SeriesHead,
        hall_protocol::pull::Change, hall_protocol::pull::ChangePage, hall_protocol::pull::SnapshotPage,
        hall_protocol::records::CustomerRecord, hall_protocol::records::Stamped, hall_protocol::records::BillRecord,
        hall_protocol::records::UserRecord, hall_protocol::records::TariffRecord, hall_protocol::records::CalendarRecord,
        hall_protocol::records::ApplicationProgressRecord, hall_protocol::records::ServiceTicketRecord,
    )),
    modifiers(&Bearer)
)]
pub struct Api;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(Api::openapi())
}

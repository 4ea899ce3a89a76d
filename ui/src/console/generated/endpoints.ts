// Generated from head-office/src/console/types.rs by `cargo test`; do not edit.
import type { CustomerConflict } from "./CustomerConflict";
import type { DispatchArgs } from "./DispatchArgs";
import type { Done } from "./Done";
import type { LateMoneyItem } from "./LateMoneyItem";
import type { LoginArgs } from "./LoginArgs";
import type { LoginReply } from "./LoginReply";
import type { NewCodeArgs } from "./NewCodeArgs";
import type { NewCodeReply } from "./NewCodeReply";
import type { NewOutletArgs } from "./NewOutletArgs";
import type { OperatorInfo } from "./OperatorInfo";
import type { OutletDetail } from "./OutletDetail";
import type { OutletSummary } from "./OutletSummary";
import type { PublishArgs } from "./PublishArgs";
import type { PublishReply } from "./PublishReply";
import type { QuarantinedEvent } from "./QuarantinedEvent";
import type { ReceiptQuery } from "./ReceiptQuery";
import type { ReceiptRecord } from "./ReceiptRecord";
import type { ResolveArgs } from "./ResolveArgs";
import type { ReviewArgs } from "./ReviewArgs";
import type { TicketView } from "./TicketView";
import type { VerifyArgs } from "./VerifyArgs";
import type { VerifyReply } from "./VerifyReply";
import type { WorkstationView } from "./WorkstationView";

export type Endpoints = {
  "POST /login": { body: LoginArgs; result: LoginReply };
  "POST /logout": { body: null; result: Done };
  "GET /me": { body: null; result: OperatorInfo };
  "GET /outlets": { body: null; result: Array<OutletSummary> };
  "POST /outlets": { body: NewOutletArgs; result: OutletSummary };
  "GET /outlets/{code}": { body: null; result: OutletDetail };
  "POST /outlets/{code}/codes": { body: NewCodeArgs; result: NewCodeReply };
  "POST /workstations/{id}/revoke": { body: null; result: WorkstationView };
  "GET /quarantine": { body: null; result: Array<QuarantinedEvent> };
  "POST /quarantine/{id}/resolve": { body: ResolveArgs; result: QuarantinedEvent };
  "GET /late-money": { body: null; result: Array<LateMoneyItem> };
  "POST /late-money/{key}/reviewed": { body: ReviewArgs; result: LateMoneyItem };
  "GET /conflicts": { body: null; result: Array<CustomerConflict> };
  "POST /conflicts/{id}/reviewed": { body: ReviewArgs; result: CustomerConflict };
  "POST /publish": { body: PublishArgs; result: PublishReply };
  "POST /receipts/lookup": { body: ReceiptQuery; result: Array<ReceiptRecord> };
  "POST /receipts/verify": { body: VerifyArgs; result: VerifyReply };
  "GET /tickets": { body: null; result: Array<TicketView> };
  "POST /tickets": { body: DispatchArgs; result: TicketView };
};

export type Endpoint = keyof Endpoints;

//! The transaction lifecycle's actions: their paths, their one method, and
//! the outcome the journal and the log name when one succeeds.

use crate::scenario::lifecycle::EventKind;

/// One of the lifecycle's seven actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `POST /api/transaction/process_void`, `process_chargeback`, `process_reversal`.
    Event(EventKind),
    /// `PATCH /api/transaction/transaction_update_revenue_by_orderid`.
    RevenueByOrder,
    /// `PATCH /api/transaction/transaction_update_revenue_by_transaction_hash`.
    RevenueByHash,
    /// `GET /api/transaction/transaction_payout_preview`.
    PayoutPreview,
    /// `GET /api/offer/check_orderid_exists`.
    CheckOrderId,
}

impl Action {
    /// Its `operationId` in the OpenAPI document (and the metrics' label).
    pub fn operation_id(self) -> &'static str {
        match self {
            Action::Event(EventKind::Void) => "processVoid",
            Action::Event(EventKind::Chargeback) => "processChargeback",
            Action::Event(EventKind::Reversal) => "processReversal",
            Action::RevenueByOrder => "updateRevenueByOrderId",
            Action::RevenueByHash => "updateRevenueByTransactionHash",
            Action::PayoutPreview => "payoutPreview",
            Action::CheckOrderId => "checkOrderIdExists",
        }
    }

    /// The action at `path`, if any.
    pub fn of(path: &str) -> Option<Action> {
        Some(match path {
            "/api/transaction/process_void" => Action::Event(EventKind::Void),
            "/api/transaction/process_chargeback" => Action::Event(EventKind::Chargeback),
            "/api/transaction/process_reversal" => Action::Event(EventKind::Reversal),
            "/api/transaction/transaction_update_revenue_by_orderid" => Action::RevenueByOrder,
            "/api/transaction/transaction_update_revenue_by_transaction_hash" => {
                Action::RevenueByHash
            }
            "/api/transaction/transaction_payout_preview" => Action::PayoutPreview,
            "/api/offer/check_orderid_exists" => Action::CheckOrderId,
            _ => return None,
        })
    }

    /// The one method it takes, as the `Allow` header of its 405 names it.
    pub fn allow(self) -> &'static str {
        match self {
            Action::Event(_) => "POST",
            Action::RevenueByOrder | Action::RevenueByHash => "PATCH",
            Action::PayoutPreview | Action::CheckOrderId => "GET",
        }
    }

    /// The journal's outcome when it succeeds.
    pub fn outcome(self) -> &'static str {
        match self {
            Action::Event(kind) => kind.name(),
            Action::RevenueByOrder | Action::RevenueByHash => "revenue",
            Action::PayoutPreview => "payout_preview",
            Action::CheckOrderId => "order_check",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_has_one_action_and_the_method_it_allows() {
        let paths = [
            ("/api/transaction/process_void", "POST"),
            ("/api/transaction/process_chargeback", "POST"),
            ("/api/transaction/process_reversal", "POST"),
            (
                "/api/transaction/transaction_update_revenue_by_orderid",
                "PATCH",
            ),
            (
                "/api/transaction/transaction_update_revenue_by_transaction_hash",
                "PATCH",
            ),
            ("/api/transaction/transaction_payout_preview", "GET"),
            ("/api/offer/check_orderid_exists", "GET"),
        ];
        for (path, method) in paths {
            let action = Action::of(path).expect(path);
            assert_eq!(action.allow(), method, "{path}");
        }
        assert_eq!(Action::of("/api/transaction/process_refund"), None);
    }
}

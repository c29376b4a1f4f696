//! What an installation decides about orders: where the links in its mail point and how
//! long codes, orders and validated addresses last (`[orders]` in `config.toml`).

/// Seconds in a day.
const DAY: i64 = 86_400;

/// The order rules of one installation.
#[derive(Clone, Debug)]
pub struct OrderPolicy {
    /// Base of the links orgca sends (e-mail validation, pick-up, password links): the
    /// portal's address. When it is `https://`, portal cookies are marked `Secure`.
    pub public_base_url: String,
    /// How long an order (and its one-time code) may be picked up, in seconds.
    pub order_validity: i64,
    /// How long an address, once validated, counts as validated for its organisation.
    pub email_validation_validity: i64,
    /// How long an e-mail validation link works.
    pub email_link_validity: i64,
}

impl OrderPolicy {
    /// The defaults: orders 14 days, validated addresses 90 days, links 7 days.
    pub fn new(public_base_url: &str) -> OrderPolicy {
        OrderPolicy {
            public_base_url: public_base_url.trim_end_matches('/').to_owned(),
            order_validity: 14 * DAY,
            email_validation_validity: 90 * DAY,
            email_link_validity: 7 * DAY,
        }
    }

    /// The same with lifetimes given in days.
    pub fn with_days(mut self, orders: u32, validated_addresses: u32) -> OrderPolicy {
        self.order_validity = i64::from(orders) * DAY;
        self.email_validation_validity = i64::from(validated_addresses) * DAY;
        self
    }
}

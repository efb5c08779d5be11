//! Scenarios built in Rust code, for test suites that would rather not keep
//! a YAML file: the builder writes the scenario as JSON (which is YAML) and
//! loads it through the same checks as a file, so a typo in a key or a
//! transaction naming no click is refused the same way.

use serde_json::{Map, Value};

use super::{LoadError, Scenario};

/// A scenario under construction.
///
/// ```
/// use n4n_mock::{ClickBuilder, ScenarioBuilder, TransactionBuilder};
///
/// let scenario = ScenarioBuilder::new("orders")
///     .credential("qa", "0123456789abcdef")
///     .click(ClickBuilder::new("5f0e1d2c3b4a596.12345678").field("loginid", "1001"))
///     .transaction(
///         TransactionBuilder::new("a1b2c3d4e5f6071.87654321", "5f0e1d2c3b4a596.12345678")
///             .field("orderid", "ORD-1")
///             .field("status", "approved"),
///     )
///     .build()
///     .expect("a valid scenario");
/// assert_eq!(scenario.name(), "orders");
/// assert_eq!(scenario.transaction_count(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct ScenarioBuilder {
    name: String,
    document: Map<String, Value>,
    credentials: Vec<Value>,
    clicks: Vec<Value>,
    transactions: Vec<Value>,
}

impl ScenarioBuilder {
    /// A scenario called `name`, with nothing in it yet.
    pub fn new(name: impl Into<String>) -> Self {
        ScenarioBuilder {
            name: name.into(),
            document: Map::new(),
            credentials: Vec::new(),
            clicks: Vec::new(),
            transactions: Vec::new(),
        }
    }

    /// Sets a top-level key of the scenario format (`description`,
    /// `allowed_ips`, `errors`...) to a JSON value.
    pub fn set(mut self, key: &str, value: Value) -> Self {
        self.document.insert(key.to_string(), value);
        self
    }

    /// Adds a credential pair.
    pub fn credential(mut self, username: &str, api_key: &str) -> Self {
        self.credentials
            .push(serde_json::json!({"username": username, "api_key": api_key}));
        self
    }

    /// Adds a click.
    pub fn click(mut self, click: ClickBuilder) -> Self {
        self.clicks.push(Value::Object(click.0));
        self
    }

    /// Adds a transaction.
    pub fn transaction(mut self, transaction: TransactionBuilder) -> Self {
        self.transactions.push(Value::Object(transaction.0));
        self
    }

    /// The scenario as the text it is loaded from (JSON, which is YAML).
    pub fn to_yaml(&self) -> String {
        let mut document = self.document.clone();
        document.insert("name".into(), Value::String(self.name.clone()));
        let lists = [
            ("credentials", &self.credentials),
            ("clicks", &self.clicks),
            ("transactions", &self.transactions),
        ];
        for (key, list) in lists {
            if !list.is_empty() {
                document.insert(key.into(), Value::Array(list.clone()));
            }
        }
        // Pretty, so that a problem's line and column point somewhere readable.
        serde_json::to_string_pretty(&Value::Object(document)).unwrap_or_default()
    }

    /// Loads the scenario, with every check a file goes through.
    pub fn build(&self) -> Result<Scenario, LoadError> {
        Scenario::from_yaml(&self.name, self.to_yaml())
    }
}

/// A click under construction: `click_hash` and any other field of the format.
#[derive(Debug, Clone)]
pub struct ClickBuilder(Map<String, Value>);

impl ClickBuilder {
    /// A click with this `click_hash`.
    pub fn new(click_hash: &str) -> Self {
        let mut fields = Map::new();
        fields.insert("click_hash".into(), Value::String(click_hash.into()));
        ClickBuilder(fields)
    }

    /// Sets a field (`loginid`, `time`, `extra`, `response`...).
    pub fn field(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_string(), value.into());
        self
    }
}

/// A transaction under construction.
#[derive(Debug, Clone)]
pub struct TransactionBuilder(Map<String, Value>);

impl TransactionBuilder {
    /// A transaction with this `transaction_hash`, of the click `click_hash`.
    pub fn new(transaction_hash: &str, click_hash: &str) -> Self {
        let mut fields = Map::new();
        fields.insert(
            "transaction_hash".into(),
            Value::String(transaction_hash.into()),
        );
        fields.insert("click_hash".into(), Value::String(click_hash.into()));
        TransactionBuilder(fields)
    }

    /// Sets a field (`orderid`, `status`, `payouts`...).
    pub fn field(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_string(), value.into());
        self
    }
}

//! The control actions on a generation (the trigger-and-wait methods are
//! on the handles of [`crate::steps`]).

use std::fmt;

/// A control action on a generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ControlAction {
    /// `POST /v1/generations/{id}/stop` (credits refunded).
    Stop,
    /// `POST /v1/generations/{id}/continue` (credits charged again).
    Continue,
}

impl ControlAction {
    /// `"stopped"` or `"continued"`.
    pub fn past_participle(self) -> &'static str {
        match self {
            Self::Stop => "stopped",
            Self::Continue => "continued",
        }
    }
}

impl fmt::Display for ControlAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Stop => "stop",
            Self::Continue => "continue",
        })
    }
}

//! The five steps of the GEN journey: the handles of [`crate::steps`] under
//! the name earlier versions used (`genpro_sdk::phases::CellRef`,
//! `genpro_sdk::phases::Edit`...). See [`crate::steps`].

pub use crate::steps::*;

pub mod form;
pub mod header;
pub mod outcome;
pub mod session;

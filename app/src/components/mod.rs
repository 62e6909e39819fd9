pub mod form;
pub mod header;
pub mod live;
pub mod outcome;
pub mod providers;
pub mod session;
pub mod shortcuts;
pub mod theme;

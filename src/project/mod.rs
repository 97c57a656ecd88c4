//! Projection (issue #6): GP supply under retirement scenarios ([`supply`]) against the
//! demand of an ageing population ([`demand`]), for one territory ([`territory`]).

pub mod demand;
pub mod supply;
pub mod territory;

//! Projection (issue #6): GP supply under retirement scenarios ([`supply`]) against the
//! demand of an ageing population ([`demand`]).

pub mod demand;
pub mod supply;

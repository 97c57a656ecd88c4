//! Projection (issue #6): GP supply under retirement scenarios against the demand of an
//! ageing population. The supply side ([`supply`]) is built and tested; the demand side
//! (cohort-component population projection, consultations per age) and the `project`
//! command come next.

pub mod demand;
pub mod supply;

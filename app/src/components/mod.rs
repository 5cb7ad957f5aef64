//! Pieces several pages share: the staff form kit and the figure cells of the dashboards.

pub mod figures;
pub mod form;

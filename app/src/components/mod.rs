//! Pieces several pages share: the staff form kit, the figure cells of the dashboards and the
//! scrolling data table.

pub mod figures;
pub mod form;
pub mod table;

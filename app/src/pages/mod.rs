pub mod info;
pub mod staff;
pub mod survey;

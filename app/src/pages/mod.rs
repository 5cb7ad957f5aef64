pub mod admin;
pub mod auth;
pub mod dashboard;
pub mod info;
pub mod paper;
pub mod register;
pub mod staff;
pub mod survey;

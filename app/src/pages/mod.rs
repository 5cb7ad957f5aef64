pub mod admin;
pub mod auth;
pub mod dialogues;
pub mod info;
pub mod poster;
pub mod register;
pub mod staff;
pub mod survey;

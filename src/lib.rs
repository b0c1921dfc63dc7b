//! vesoc: the web application of the VESOC secretariat.

pub mod accounts;
pub mod actions;
pub mod agenda;
pub mod agreements;
pub mod app;
pub mod audit;
pub mod auth;
pub mod base;
pub mod bench_routes;
pub mod cache;
pub mod composition;
pub mod config;
pub mod db;
pub mod health;
pub mod home;
pub mod jobs;
pub mod keep_alive;
pub mod mail;
pub mod meetings;
pub mod open_data;
pub mod overview;
pub mod search;
pub mod work;

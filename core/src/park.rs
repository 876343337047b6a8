//! The park driver trait.

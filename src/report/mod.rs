//! Reporters: one small module per output format behind [`Format`].

//! Which moves are honest, and how honest claims are computed.
//!
//! The solver is a pure function of a game's claims and the honest trace; trace providers
//! (alphabet, output roots, split, Cannon) compute that trace from data sources behind traits.
//! Nothing here sends a transaction or touches the database.
//!
//! Status: the crate is being built; the game rules it stands on are in `riposte-game`.

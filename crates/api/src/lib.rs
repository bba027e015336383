//! JSON types shared by the server and the console.

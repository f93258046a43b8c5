//! Shell analysis of RUN bodies: commands and words with spans mapped back to the Dockerfile.

//! Finding ops/devnet and loading the contract artifacts (ABI and creation code).

use std::path::{Path, PathBuf};

use alloy::json_abi::JsonAbi;
use alloy::primitives::Bytes;
use serde::Deserialize;

use crate::{DevnetError, Result};

/// Environment variable that overrides where ops/devnet is (default: this crate's directory).
pub const DEVNET_DIR_ENV: &str = "RIPOSTE_DEVNET_DIR";

/// Environment variable naming a directory of forge build artifacts of an OP contracts
/// release (`<Name>.sol/<Name>.json`, as contracts-bedrock's `forge-artifacts/`) to deploy
/// instead of the npm package's.
pub const OP_ARTIFACTS_ENV: &str = "RIPOSTE_OP_ARTIFACTS";

/// How a release's contracts are deployed, told from the `FaultDisputeGame` constructor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Stack {
    /// FDG 1.x with constructor immutables (npm contracts-bedrock 0.17.3): proxies owned by
    /// the deployer, an anchor per game type.
    Bedrock,
    /// FDG 2.x (op-contracts v4+): `ProxyAdmin`-owned proxies, SystemConfig, ASR 3.x with a
    /// finality delay, and per-type `gameArgs` in the factory.
    V2,
}

impl Stack {
    /// The stack of a `FaultDisputeGame` artifact: 2.x takes one tuple of four values.
    pub(crate) fn of_game(fdg: &Artifact, path: &Path) -> Result<Self> {
        let inputs = fdg.abi.constructor.as_ref().map_or(0, |c| c.inputs.len());
        let tuple = fdg.abi.constructor.as_ref().and_then(|c| c.inputs.first()).is_some_and(|i| i.ty == "tuple");
        match (inputs, tuple) {
            (1, true) => Ok(Self::V2),
            (n, false) if n >= 9 => Ok(Self::Bedrock),
            _ => Err(DevnetError::Artifact {
                path: path.to_owned(),
                reason: format!(
                    "a FaultDisputeGame constructor of {inputs} inputs is neither 1.x's immutables nor 2.x's parameter tuple"
                ),
            }),
        }
    }
}

/// The ops/devnet directory: `$RIPOSTE_DEVNET_DIR`, or this crate's manifest directory.
pub fn devnet_dir() -> PathBuf {
    std::env::var_os(DEVNET_DIR_ENV).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Paths of the tools setup.sh installs, checked to exist.
#[derive(Debug, Clone)]
pub(crate) struct Paths {
    pub(crate) anvil: PathBuf,
    pub(crate) forge_artifacts: PathBuf,
    pub(crate) build: PathBuf,
}

impl Paths {
    pub(crate) fn locate(dir: &Path) -> Result<Self> {
        let anvil = dir.join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
        let forge_artifacts = match std::env::var_os(OP_ARTIFACTS_ENV) {
            Some(d) if !d.is_empty() => {
                let d = PathBuf::from(d);
                if !d.join("FaultDisputeGame.sol/FaultDisputeGame.json").exists() {
                    return Err(DevnetError::SetupMissing {
                        what: "FaultDisputeGame.sol/FaultDisputeGame.json in $RIPOSTE_OP_ARTIFACTS",
                        path: d,
                    });
                }
                d
            }
            _ => dir.join("node_modules/@eth-optimism/contracts-bedrock/forge-artifacts"),
        };
        let build = dir.join("build");
        let need = |what: &'static str, path: &Path| {
            if path.exists() { Ok(()) } else { Err(DevnetError::SetupMissing { what, path: path.to_owned() }) }
        };
        need("the npm packages (node_modules)", &dir.join("node_modules"))?;
        need("the anvil binary", &anvil)?;
        need("the OP contract artifacts", &forge_artifacts)?;
        need("our compiled AlphabetVM", &build.join("AlphabetVM.json"))?;
        need("our compiled Batcher", &build.join("Batcher.json"))?;
        Ok(Self { anvil, forge_artifacts, build })
    }
}

/// A contract's ABI and creation code.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The contract's ABI.
    pub abi: JsonAbi,
    /// Its creation bytecode (no library links needed).
    pub bytecode: Bytes,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawBytecode {
    Forge { object: Bytes },
    Plain(Bytes),
}

#[derive(Deserialize)]
struct RawArtifact {
    abi: JsonAbi,
    bytecode: RawBytecode,
}

fn load(path: &Path) -> Result<Artifact> {
    let bad = |reason: String| DevnetError::Artifact { path: path.to_owned(), reason };
    let text = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let raw: RawArtifact = serde_json::from_slice(&text).map_err(|e| bad(e.to_string()))?;
    let bytecode = match raw.bytecode {
        RawBytecode::Forge { object } | RawBytecode::Plain(object) => object,
    };
    if bytecode.is_empty() {
        return Err(bad("empty creation bytecode".into()));
    }
    Ok(Artifact { abi: raw.abi, bytecode })
}

/// What only a 2.x stack deploys.
#[derive(Debug, Clone)]
pub(crate) struct V2Artifacts {
    pub(crate) proxy_admin: Artifact,
    pub(crate) system_config: Artifact,
    pub(crate) permissioned_game: Artifact,
    /// `SuperFaultDisputeGame`, when the release directory has it.
    pub(crate) super_game: Option<Artifact>,
    /// `SuperPermissionedDisputeGame`, when the release directory has it: the bisection game
    /// 0.7 (it has `claimData`) or the simplified 1.0 of Upgrade 20 (bondless, resolved at
    /// creation).
    pub(crate) super_permissioned_game: Option<Artifact>,
}

impl V2Artifacts {
    /// Whether the release's `SuperPermissionedDisputeGame` is the simplified one (no claims).
    pub(crate) fn simple_super_permissioned(&self) -> bool {
        self.super_permissioned_game.as_ref().is_some_and(|a| a.abi.function("claimData").is_none())
    }
}

/// Every artifact the devnet deploys, and the error table built from their ABIs.
#[derive(Debug, Clone)]
pub(crate) struct Artifacts {
    pub(crate) stack: Stack,
    pub(crate) v2: Option<V2Artifacts>,
    pub(crate) proxy: Artifact,
    pub(crate) superchain_config: Artifact,
    pub(crate) delayed_weth: Artifact,
    pub(crate) factory: Artifact,
    pub(crate) anchor_state_registry: Artifact,
    pub(crate) preimage_oracle: Artifact,
    pub(crate) mips: Artifact,
    pub(crate) fault_dispute_game: Artifact,
    pub(crate) alphabet_vm: Artifact,
    pub(crate) batcher: Artifact,
}

impl Artifacts {
    /// Every artifact, for checks over all of them.
    #[cfg(test)]
    pub(crate) fn all(&self) -> Vec<&Artifact> {
        let mut all = vec![
            &self.proxy,
            &self.superchain_config,
            &self.delayed_weth,
            &self.factory,
            &self.anchor_state_registry,
            &self.preimage_oracle,
            &self.mips,
            &self.fault_dispute_game,
            &self.alphabet_vm,
            &self.batcher,
        ];
        if let Some(v2) = &self.v2 {
            all.extend([&v2.proxy_admin, &v2.system_config, &v2.permissioned_game]);
            all.extend(v2.super_game.as_ref());
            all.extend(v2.super_permissioned_game.as_ref());
        }
        all
    }

    /// Loads (in parallel) every artifact the devnet needs.
    pub(crate) fn load(paths: &Paths) -> Result<Self> {
        let forge = |name: &str| paths.forge_artifacts.join(format!("{name}.sol/{name}.json"));
        let fdg_path = forge("FaultDisputeGame");
        let stack = Stack::of_game(&load(&fdg_path)?, &fdg_path)?;
        // The 2.x releases ship only the 64-bit MIPS.
        let mips = if stack == Stack::V2 { "MIPS64" } else { "MIPS" };
        let mut files = vec![
            forge("Proxy"),
            forge("SuperchainConfig"),
            forge("DelayedWETH"),
            forge("DisputeGameFactory"),
            forge("AnchorStateRegistry"),
            forge("PreimageOracle"),
            forge(mips),
            fdg_path,
            paths.build.join("AlphabetVM.json"),
            paths.build.join("Batcher.json"),
        ];
        if stack == Stack::V2 {
            files.extend([forge("ProxyAdmin"), forge("SystemConfig"), forge("PermissionedDisputeGame")]);
        }
        // Large JSON files: parse them on both cores.
        let loaded: Vec<Result<Artifact>> = std::thread::scope(|s| {
            let (odd, even): (Vec<_>, Vec<_>) = files.iter().enumerate().partition(|(i, _)| i % 2 == 1);
            let other = s.spawn(move || odd.into_iter().map(|(i, p)| (i, load(p))).collect::<Vec<_>>());
            let mut all: Vec<(usize, Result<Artifact>)> = even.into_iter().map(|(i, p)| (i, load(p))).collect();
            match other.join() {
                Ok(more) => all.extend(more),
                Err(_) => all.push((usize::MAX, Err(DevnetError::Task("the artifact loader thread panicked".into())))),
            }
            all.sort_by_key(|(i, _)| *i);
            all.into_iter().map(|(_, r)| r).collect()
        });
        let mut it = loaded.into_iter();
        let mut next = || {
            it.next().unwrap_or_else(|| Err(DevnetError::Task("the artifact loader returned too few artifacts".into())))
        };
        let proxy = next()?;
        let superchain_config = next()?;
        let delayed_weth = next()?;
        let factory = next()?;
        let anchor_state_registry = next()?;
        let preimage_oracle = next()?;
        let mips = next()?;
        let fault_dispute_game = next()?;
        let alphabet_vm = next()?;
        let batcher = next()?;
        let v2 = match stack {
            Stack::V2 => {
                let optional = |name: &str| {
                    let path = forge(name);
                    if path.exists() { load(&path).map(Some) } else { Ok(None) }
                };
                Some(V2Artifacts {
                    proxy_admin: next()?,
                    system_config: next()?,
                    permissioned_game: next()?,
                    super_game: optional("SuperFaultDisputeGame")?,
                    super_permissioned_game: optional("SuperPermissionedDisputeGame")?,
                })
            }
            Stack::Bedrock => None,
        };
        Ok(Self {
            stack,
            v2,
            proxy,
            superchain_config,
            delayed_weth,
            factory,
            anchor_state_registry,
            preimage_oracle,
            mips,
            fault_dispute_game,
            alphabet_vm,
            batcher,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// riposte decodes reverts from its own bindings: every error the deployed contracts can
    /// raise must be among them, with the same signature.
    #[test]
    fn every_error_of_the_deployed_contracts_is_known_to_the_bindings() {
        let paths = Paths::locate(&crate::devnet_dir()).expect("ops/devnet/setup.sh installs the artifacts");
        let arts = Artifacts::load(&paths).unwrap();
        let mut checked = 0;
        for a in arts.all() {
            for e in a.abi.errors() {
                let r = riposte_contracts::Revert::decode(e.selector().to_vec());
                assert_eq!(
                    r.signature,
                    Some(e.signature().as_str()),
                    "{} is not known to riposte-contracts",
                    e.signature()
                );
                checked += 1;
            }
        }
        assert!(checked > 20, "only {checked} errors in the ABIs");
    }
}

//! `DisputeGameFactory` 1.0.0 (`@eth-optimism/contracts-bedrock@0.17.3`) and 1.3+ (per-type
//! `gameArgs`): the game list riposte scans, `create`, and the owner calls the devnet deploys
//! with.

#![allow(missing_docs)]

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::{SolCall, SolValue, sol};

use crate::{ActionKind, ContractError, EthCall, TxCall, call, call_many};

sol! {
    #[sol(all_derives)]
    interface DisputeGameFactory {
        event DisputeGameCreated(address indexed disputeProxy, uint32 indexed gameType, bytes32 indexed rootClaim);
        function initialize(address _owner) external;
        function gameCount() external view returns (uint256 gameCount_);
        function gameAtIndex(uint256 _index) external view returns (uint32 gameType_, uint64 timestamp_, address proxy_);
        function gameImpls(uint32 gameType) external view returns (address);
        function initBonds(uint32 gameType) external view returns (uint256);
        function games(uint32 _gameType, bytes32 _rootClaim, bytes _extraData) external view returns (address proxy_, uint64 timestamp_);
        function create(uint32 _gameType, bytes32 _rootClaim, bytes _extraData) external payable returns (address proxy_);
        function setImplementation(uint32 _gameType, address _impl) external;
        function setInitBond(uint32 _gameType, uint256 _initBond) external;
        function owner() external view returns (address);
        function version() external view returns (string);

        error GameAlreadyExists(bytes32 uuid);
        error IncorrectBondAmount();
        error NoImplementation(uint32 gameType);
    }

    /// What `DisputeGameFactory` 1.3 and later add: the arguments each game type's clones get.
    #[sol(all_derives)]
    interface DisputeGameFactoryArgs {
        function gameArgs(uint32 _gameType) external view returns (bytes);
        function setImplementation(uint32 _gameType, address _impl, bytes _args) external;
    }
}

/// The per-type arguments of a 2.x game (`gameArgs(type)`): 124 bytes for a permissionless
/// game, 164 with a permissioned game's proposer and challenger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GameArgs {
    /// `absolutePrestate`.
    pub absolute_prestate: B256,
    /// The step VM.
    pub vm: Address,
    /// The AnchorStateRegistry.
    pub anchor_registry: Address,
    /// DelayedWETH.
    pub weth: Address,
    /// The L2 chain id.
    pub l2_chain_id: U256,
    /// `(proposer, challenger)` of a permissioned game.
    pub roles: Option<(Address, Address)>,
}

impl GameArgs {
    /// Bytes of the permissionless layout.
    pub const PERMISSIONLESS_LEN: usize = 124;
    /// Bytes of the permissioned layout.
    pub const PERMISSIONED_LEN: usize = 164;

    /// Parses `gameArgs` bytes; any other length is refused, naming it.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() != Self::PERMISSIONLESS_LEN && bytes.len() != Self::PERMISSIONED_LEN {
            return Err(format!(
                "gameArgs of {} bytes (a 2.x game takes {} bytes, a permissioned one {})",
                bytes.len(),
                Self::PERMISSIONLESS_LEN,
                Self::PERMISSIONED_LEN
            ));
        }
        let addr = |at: usize| Address::from_slice(&bytes[at..at + 20]);
        Ok(Self {
            absolute_prestate: B256::from_slice(&bytes[0..32]),
            vm: addr(32),
            anchor_registry: addr(52),
            weth: addr(72),
            l2_chain_id: U256::from_be_slice(&bytes[92..124]),
            roles: (bytes.len() == Self::PERMISSIONED_LEN).then(|| (addr(124), addr(144))),
        })
    }

    /// The bytes `setImplementation(type, impl, args)` takes.
    pub fn encode(&self) -> Bytes {
        let mut out = Vec::with_capacity(Self::PERMISSIONED_LEN);
        out.extend_from_slice(self.absolute_prestate.as_slice());
        out.extend_from_slice(self.vm.as_slice());
        out.extend_from_slice(self.anchor_registry.as_slice());
        out.extend_from_slice(self.weth.as_slice());
        out.extend_from_slice(&self.l2_chain_id.to_be_bytes::<32>());
        if let Some((p, c)) = self.roles {
            out.extend_from_slice(p.as_slice());
            out.extend_from_slice(c.as_slice());
        }
        out.into()
    }
}

/// An entry of the factory's game list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactoryGame {
    /// Its index in the list.
    pub index: u64,
    /// `gameType`.
    pub game_type: u32,
    /// Creation time (L1 seconds).
    pub created_at: u64,
    /// The game's proxy.
    pub address: Address,
}

/// A factory at an address, read through an [`EthCall`].
#[derive(Clone, Copy)]
pub struct Factory<'a> {
    eth: &'a dyn EthCall,
    /// The factory's address.
    pub address: Address,
}

impl<'a> Factory<'a> {
    /// The factory at `address`.
    pub fn new(eth: &'a dyn EthCall, address: Address) -> Self {
        Self { eth, address }
    }

    /// `gameCount()`.
    pub async fn game_count(&self) -> Result<u64, ContractError> {
        let n = call(self.eth, self.address, DisputeGameFactory::gameCountCall {}).await?;
        u64::try_from(n).map_err(|_| ContractError::Decode {
            what: format!("gameCount() on {}", self.address),
            reason: format!("absurd game count {n}"),
        })
    }

    /// `gameAtIndex(i)` for each index, in one batch.
    pub async fn games_at(&self, indexes: &[u64]) -> Result<Vec<FactoryGame>, ContractError> {
        let calls: Vec<_> =
            indexes.iter().map(|&i| DisputeGameFactory::gameAtIndexCall { _index: U256::from(i) }).collect();
        let out = call_many(self.eth, self.address, &calls).await?;
        Ok(indexes
            .iter()
            .zip(out)
            .map(|(&index, r)| FactoryGame {
                index,
                game_type: r.gameType_,
                created_at: r.timestamp_,
                address: r.proxy_,
            })
            .collect())
    }

    /// `initBonds(gameType)`.
    pub async fn init_bond(&self, game_type: u32) -> Result<U256, ContractError> {
        call(self.eth, self.address, DisputeGameFactory::initBondsCall { gameType: game_type }).await
    }

    /// `gameArgs(gameType)` of a 1.3+ factory: `None` when the type has none (a 1.x game, or a
    /// factory older than 1.3, which has no such function).
    pub async fn game_args(&self, game_type: u32) -> Result<Option<GameArgs>, ContractError> {
        let c = DisputeGameFactoryArgs::gameArgsCall { _gameType: game_type };
        let Some(bytes) = crate::call_if_present(self.eth, self.address, c).await? else {
            return Ok(None);
        };
        if bytes.is_empty() {
            return Ok(None);
        }
        GameArgs::parse(&bytes).map(Some).map_err(|reason| ContractError::Decode {
            what: format!("gameArgs({game_type}) on {}", self.address),
            reason,
        })
    }

    /// The game created with these arguments (the zero address if none).
    pub async fn game_of(&self, game_type: u32, root: B256, extra: Bytes) -> Result<Address, ContractError> {
        let c = DisputeGameFactory::gamesCall { _gameType: game_type, _rootClaim: root, _extraData: extra };
        Ok(call(self.eth, self.address, c).await?.proxy_)
    }
}

/// The `extraData` of an output-root proposal: the L2 block number, ABI-encoded.
pub fn output_extra_data(l2_block: u64) -> Bytes {
    U256::from(l2_block).abi_encode().into()
}

/// `create(gameType, root, l2Block)` of an output-root proposal with the init bond, keyed by
/// what it proposes.
pub fn propose_output_call(factory: Address, game_type: u32, root: B256, l2_block: u64, bond: U256) -> TxCall {
    let key = format!("create:{factory}:{game_type}:{root}:{l2_block}");
    let extra = output_extra_data(l2_block);
    let calldata =
        DisputeGameFactory::createCall { _gameType: game_type, _rootClaim: root, _extraData: extra }.abi_encode();
    TxCall { kind: ActionKind::CreateGame, key, target: factory, calldata: calldata.into(), value: bond }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn game_args_round_trip_in_both_layouts() {
        let mut a = GameArgs {
            absolute_prestate: B256::repeat_byte(3),
            vm: Address::repeat_byte(1),
            anchor_registry: Address::repeat_byte(2),
            weth: Address::repeat_byte(4),
            l2_chain_id: U256::from(10),
            roles: None,
        };
        assert_eq!(a.encode().len(), 124);
        assert_eq!(GameArgs::parse(&a.encode()).unwrap(), a);
        a.roles = Some((Address::repeat_byte(5), Address::repeat_byte(6)));
        assert_eq!(a.encode().len(), 164);
        assert_eq!(GameArgs::parse(&a.encode()).unwrap(), a);
        // The chain id sits in the last word of the permissionless part.
        assert_eq!(a.encode()[123], 10);
    }

    #[test]
    fn game_args_of_another_length_are_refused_by_length() {
        let err = GameArgs::parse(&[0u8; 125]).unwrap_err();
        assert!(err.contains("125 bytes") && err.contains("124") && err.contains("164"), "{err}");
    }
}

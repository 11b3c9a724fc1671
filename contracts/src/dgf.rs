//! `DisputeGameFactory` 1.0.0 (`@eth-optimism/contracts-bedrock@0.17.3`): the game list riposte
//! scans, `create`, and the owner calls the devnet deploys with.

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

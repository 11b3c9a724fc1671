//! `FaultDisputeGame` 1.2.x (npm `@eth-optimism/contracts-bedrock@0.17.3`).

#![allow(missing_docs)]

use std::sync::Arc;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{SolCall, SolEvent, sol};
use riposte_game::{Claim, Clock, ClockParams, GameDepth, GameStatus, Position};
use riposte_solver::{Action, PreimageLoad};

use super::{DisputeGame, GameFamily, GameParams};
use crate::{
    ActionKind, BoxFuture, ContractError, EthCall, TxCall, call, call::decode_return, call_many, oracle, vm::BigStepper,
};

sol! {
    /// `FaultDisputeGame` 1.2.0.
    #[sol(all_derives)]
    interface FaultDisputeGame {
        event Move(uint256 indexed parentIndex, bytes32 indexed claim, address indexed claimant);
        event Resolved(uint8 indexed status);
        function version() external view returns (string);
        function gameType() external view returns (uint32);
        function gameCreator() external pure returns (address);
        function rootClaim() external pure returns (bytes32);
        function l1Head() external pure returns (bytes32);
        function l2BlockNumber() external pure returns (uint256);
        function startingBlockNumber() external view returns (uint256);
        function startingRootHash() external view returns (bytes32);
        function absolutePrestate() external view returns (bytes32);
        function maxGameDepth() external view returns (uint256);
        function splitDepth() external view returns (uint256);
        function maxClockDuration() external view returns (uint64);
        function clockExtension() external view returns (uint64);
        function vm() external view returns (address);
        function weth() external view returns (address);
        function anchorStateRegistry() external view returns (address);
        function l2ChainId() external view returns (uint256);
        function createdAt() external view returns (uint64);
        function resolvedAt() external view returns (uint64);
        function status() external view returns (uint8);
        function l2BlockNumberChallenged() external view returns (bool);
        function l2BlockNumberChallenger() external view returns (address);
        function claimDataLen() external view returns (uint256);
        function claimData(uint256) external view returns (
            uint32 parentIndex,
            address counteredBy,
            address claimant,
            uint128 bond,
            bytes32 claim,
            uint128 position,
            uint128 clock
        );
        function resolvedSubgames(uint256) external view returns (bool);
        function getRequiredBond(uint128 _position) external view returns (uint256);
        function getChallengerDuration(uint256 _claimIndex) external view returns (uint64);
        function credit(address) external view returns (uint256);

        function attack(bytes32 _disputed, uint256 _parentIndex, bytes32 _claim) external payable;
        function defend(bytes32 _disputed, uint256 _parentIndex, bytes32 _claim) external payable;
        function step(uint256 _claimIndex, bool _isAttack, bytes _stateData, bytes _proof) external;
        function addLocalData(uint256 _ident, uint256 _execLeafIdx, uint256 _partOffset) external;
        function resolveClaim(uint256 _claimIndex, uint256 _numToResolve) external;
        function resolve() external returns (uint8 status_);
        function claimCredit(address _recipient) external;

        error AlreadyInitialized();
        error AnchorRootNotFound();
        error BlockNumberMatches();
        error BondTransferFailed();
        error CannotDefendRootClaim();
        error ClaimAboveSplit();
        error ClaimAlreadyExists();
        error ClaimAlreadyResolved();
        error ClockNotExpired();
        error ClockTimeExceeded();
        error DuplicateStep();
        error GameDepthExceeded();
        error GameNotInProgress();
        error IncorrectBondAmount();
        error InvalidClockExtension();
        error InvalidDisputedClaimIndex();
        error InvalidLocalIdent();
        error InvalidOutputRootProof();
        error InvalidParent();
        error InvalidPrestate();
        error InvalidSplitDepth();
        error L2BlockNumberChallenged();
        error MaxDepthTooLarge();
        error NoCreditToClaim();
        error OutOfOrderResolution();
        error UnexpectedRootClaim(bytes32 rootClaim);
        error ValidStep();
        // RLP decoding of the L2 block header in `challengeRootL2Block`.
        error ContentLengthMismatch();
        error EmptyItem();
        error InvalidDataRemainder();
        error InvalidHeader();
        error InvalidHeaderRLP();
        error UnexpectedList();
        error UnexpectedString();
        /// Raised from assembly in `initialize`; absent from the ABI.
        error BadExtraData();
    }

    /// Getters of later lines, probed to tell a 1.2 game from a newer one.
    interface Probe {
        function bondDistributionMode() external view returns (uint8);
        function l2SequenceNumber() external view returns (uint256);
    }
}

use FaultDisputeGame as Fdg;

/// A 1.2 game read through an [`EthCall`].
pub struct Game {
    eth: Arc<dyn EthCall>,
    address: Address,
    /// The PreimageOracle of the game's VM, read on first need.
    oracle: std::sync::OnceLock<Address>,
}

impl Game {
    /// The game at `address`.
    pub fn new(eth: Arc<dyn EthCall>, address: Address) -> Self {
        Self { eth, address, oracle: std::sync::OnceLock::new() }
    }

    async fn get<C: SolCall>(&self, c: C) -> Result<C::Return, ContractError> {
        call(self.eth.as_ref(), self.address, c).await
    }

    fn invalid(&self, what: &'static str, value: impl ToString, reason: &'static str) -> ContractError {
        ContractError::Invalid { game: self.address, what, value: value.to_string(), reason }
    }

    fn u64_of(&self, what: &'static str, v: U256) -> Result<u64, ContractError> {
        u64::try_from(v).map_err(|_| self.invalid(what, v, "does not fit 64 bits"))
    }

    async fn read_parameters(&self) -> Result<GameParams, ContractError> {
        // Every getter in one batch: one round trip (and one retry) instead of seventeen.
        let data = vec![
            Fdg::versionCall {}.abi_encode().into(),
            Fdg::gameTypeCall {}.abi_encode().into(),
            Fdg::rootClaimCall {}.abi_encode().into(),
            Fdg::l1HeadCall {}.abi_encode().into(),
            Fdg::l2BlockNumberCall {}.abi_encode().into(),
            Fdg::startingBlockNumberCall {}.abi_encode().into(),
            Fdg::startingRootHashCall {}.abi_encode().into(),
            Fdg::maxGameDepthCall {}.abi_encode().into(),
            Fdg::splitDepthCall {}.abi_encode().into(),
            Fdg::maxClockDurationCall {}.abi_encode().into(),
            Fdg::clockExtensionCall {}.abi_encode().into(),
            Fdg::statusCall {}.abi_encode().into(),
            Fdg::absolutePrestateCall {}.abi_encode().into(),
            Fdg::l2ChainIdCall {}.abi_encode().into(),
            Fdg::vmCall {}.abi_encode().into(),
            Fdg::wethCall {}.abi_encode().into(),
            Fdg::anchorStateRegistryCall {}.abi_encode().into(),
        ];
        let n = data.len();
        let what = || format!("the parameters of game {}", self.address);
        let answers = self
            .eth
            .call_many(self.address, data)
            .await
            .map_err(|source| ContractError::Call { what: what(), source })?;
        if answers.len() != n {
            return Err(ContractError::Decode {
                what: what(),
                reason: format!("{} answers to {n} calls", answers.len()),
            });
        }
        let mut it = answers.iter();
        let version = decode::<Fdg::versionCall>(self.address, it.next())?;
        let game_type = decode::<Fdg::gameTypeCall>(self.address, it.next())?;
        let root_claim = decode::<Fdg::rootClaimCall>(self.address, it.next())?;
        let l1_head = decode::<Fdg::l1HeadCall>(self.address, it.next())?;
        let l2_block = decode::<Fdg::l2BlockNumberCall>(self.address, it.next())?;
        let starting_block = decode::<Fdg::startingBlockNumberCall>(self.address, it.next())?;
        let starting_root = decode::<Fdg::startingRootHashCall>(self.address, it.next())?;
        let max_depth = decode::<Fdg::maxGameDepthCall>(self.address, it.next())?;
        let split_depth = decode::<Fdg::splitDepthCall>(self.address, it.next())?;
        let max_clock = decode::<Fdg::maxClockDurationCall>(self.address, it.next())?;
        let extension = decode::<Fdg::clockExtensionCall>(self.address, it.next())?;
        let status = decode::<Fdg::statusCall>(self.address, it.next())?;
        let absolute_prestate = decode::<Fdg::absolutePrestateCall>(self.address, it.next())?;
        let chain_id = decode::<Fdg::l2ChainIdCall>(self.address, it.next())?;
        let vm = decode::<Fdg::vmCall>(self.address, it.next())?;
        let weth = decode::<Fdg::wethCall>(self.address, it.next())?;
        let anchor_registry = decode::<Fdg::anchorStateRegistryCall>(self.address, it.next())?;
        let max = u8::try_from(max_depth).map_err(|_| self.invalid("maxGameDepth", max_depth, "is above 125"))?;
        let split = u8::try_from(split_depth).map_err(|_| self.invalid("splitDepth", split_depth, "is above 125"))?;
        let depth = GameDepth::new(max, split)
            .map_err(|_| self.invalid("splitDepth", split, "is not below maxGameDepth as the constructor requires"))?;
        let clocks = ClockParams::new(max_clock, extension)
            .map_err(|_| self.invalid("clockExtension", extension, "is more than maxClockDuration allows"))?;
        let status = GameStatus::from_u8(status).map_err(|_| self.invalid("status", status, "is no GameStatus"))?;
        Ok(GameParams {
            version,
            game_type,
            root_claim,
            l1_head,
            l2_block_number: self.u64_of("l2BlockNumber", l2_block)?,
            starting_block: self.u64_of("startingBlockNumber", starting_block)?,
            starting_root,
            depth,
            clocks,
            status,
            absolute_prestate,
            l2_chain_id: self.u64_of("l2ChainId", chain_id)?,
            vm,
            weth,
            anchor_registry,
        })
    }

    async fn read_oracle(&self) -> Result<Address, ContractError> {
        if let Some(a) = self.oracle.get() {
            return Ok(*a);
        }
        let vm = self.get(Fdg::vmCall {}).await?;
        let oracle = call(self.eth.as_ref(), vm, BigStepper::oracleCall {}).await?;
        let _ = self.oracle.set(oracle);
        Ok(oracle)
    }

    async fn encode(&self, action: &Action) -> Result<Vec<TxCall>, ContractError> {
        let game = self.address;
        let tx = |kind, key: String, calldata: Vec<u8>, value| TxCall {
            kind,
            key,
            target: game,
            calldata: calldata.into(),
            value,
        };
        Ok(match action {
            Action::Move { parent_index, parent_value, is_attack, position, value, bond, .. } => {
                let (d, p, c) = (*parent_value, U256::from(*parent_index), *value);
                let data = if *is_attack {
                    Fdg::attackCall { _disputed: d, _parentIndex: p, _claim: c }.abi_encode()
                } else {
                    Fdg::defendCall { _disputed: d, _parentIndex: p, _claim: c }.abi_encode()
                };
                vec![tx(ActionKind::Move, format!("move:{game}:{parent_index}:{position}:{value}"), data, *bond)]
            }
            Action::Step { claim_index, is_attack, state_data, proof, preimage, .. } => {
                let mut v = Vec::with_capacity(2);
                match preimage {
                    Some(PreimageLoad::Local { ident, claim_index: leaf, offset }) => v.push(tx(
                        ActionKind::AddLocalData,
                        format!("local:{game}:{leaf}:{ident}:{offset}"),
                        Fdg::addLocalDataCall {
                            _ident: U256::from(*ident),
                            _execLeafIdx: U256::from(*leaf),
                            _partOffset: U256::from(*offset),
                        }
                        .abi_encode(),
                        U256::ZERO,
                    )),
                    Some(PreimageLoad::Keccak { data, offset }) => {
                        v.push(oracle::load_keccak_call(self.read_oracle().await?, data, u64::from(*offset)));
                    }
                    None => {}
                }
                v.push(tx(
                    ActionKind::Step,
                    format!("step:{game}:{claim_index}:{is_attack}"),
                    Fdg::stepCall {
                        _claimIndex: U256::from(*claim_index),
                        _isAttack: *is_attack,
                        _stateData: state_data.clone(),
                        _proof: proof.clone(),
                    }
                    .abi_encode(),
                    U256::ZERO,
                ));
                v
            }
            Action::ResolveClaim { claim_index } => vec![tx(
                ActionKind::ResolveClaim,
                format!("resolve-claim:{game}:{claim_index}"),
                Fdg::resolveClaimCall { _claimIndex: U256::from(*claim_index), _numToResolve: U256::ZERO }.abi_encode(),
                U256::ZERO,
            )],
            Action::Resolve => {
                vec![tx(ActionKind::Resolve, format!("resolve:{game}"), Fdg::resolveCall {}.abi_encode(), U256::ZERO)]
            }
        })
    }
}

/// One answer of a batch, decoded as `C` returns.
fn decode<C: SolCall>(game: Address, answer: Option<&alloy_primitives::Bytes>) -> Result<C::Return, ContractError> {
    let bytes = answer.ok_or_else(|| ContractError::Decode {
        what: format!("{} on {game}", C::SIGNATURE),
        reason: "no answer".into(),
    })?;
    decode_return::<C>(game, bytes)
}

/// A claim as `claimData(i)` returns it, checked to be representable.
pub fn claim_of(game: Address, index: u64, c: Fdg::claimDataReturn) -> Result<Claim, ContractError> {
    Ok(Claim {
        parent_index: c.parentIndex,
        countered_by: c.counteredBy,
        claimant: c.claimant,
        bond: c.bond,
        value: c.claim,
        position: Position::from_gindex(c.position).map_err(|_| ContractError::Invalid {
            game,
            what: "claimData(i).position",
            value: format!("{} (claim {index})", c.position),
            reason: "is no position of a game tree",
        })?,
        clock: Clock::from_raw(c.clock),
    })
}

impl DisputeGame for Game {
    fn address(&self) -> Address {
        self.address
    }

    fn family(&self) -> GameFamily {
        GameFamily::FaultV1_2
    }

    fn parameters(&self) -> BoxFuture<'_, Result<GameParams, ContractError>> {
        Box::pin(self.read_parameters())
    }

    fn status(&self) -> BoxFuture<'_, Result<GameStatus, ContractError>> {
        Box::pin(async move {
            let s = self.get(Fdg::statusCall {}).await?;
            GameStatus::from_u8(s).map_err(|_| self.invalid("status", s, "is no GameStatus"))
        })
    }

    fn oracle(&self) -> BoxFuture<'_, Result<Address, ContractError>> {
        Box::pin(self.read_oracle())
    }

    fn claim_count(&self) -> BoxFuture<'_, Result<u64, ContractError>> {
        Box::pin(async move {
            let n = self.get(Fdg::claimDataLenCall {}).await?;
            self.u64_of("claimDataLen", n)
        })
    }

    fn claims(&self, indexes: Vec<u64>) -> BoxFuture<'_, Result<Vec<Claim>, ContractError>> {
        Box::pin(async move {
            let calls: Vec<_> = indexes.iter().map(|&i| Fdg::claimDataCall(U256::from(i))).collect();
            let out = call_many(self.eth.as_ref(), self.address, &calls).await?;
            indexes.iter().zip(out).map(|(&i, c)| claim_of(self.address, i, c)).collect()
        })
    }

    fn resolved_subgames(&self, indexes: Vec<u64>) -> BoxFuture<'_, Result<Vec<bool>, ContractError>> {
        Box::pin(async move {
            let calls: Vec<_> = indexes.iter().map(|&i| Fdg::resolvedSubgamesCall(U256::from(i))).collect();
            call_many(self.eth.as_ref(), self.address, &calls).await
        })
    }

    fn credit(&self, who: Address) -> BoxFuture<'_, Result<U256, ContractError>> {
        Box::pin(self.get(Fdg::creditCall(who)))
    }

    fn required_bond(&self, position: Position) -> BoxFuture<'_, Result<U256, ContractError>> {
        Box::pin(self.get(Fdg::getRequiredBondCall { _position: position.gindex() }))
    }

    fn calls_for<'a>(&'a self, action: &'a Action) -> BoxFuture<'a, Result<Vec<TxCall>, ContractError>> {
        Box::pin(self.encode(action))
    }

    fn claim_credit(&self, recipient: Address) -> TxCall {
        TxCall {
            kind: ActionKind::ClaimCredit,
            key: format!("claim-credit:{}:{recipient}", self.address),
            target: self.address,
            calldata: Fdg::claimCreditCall { _recipient: recipient }.abi_encode().into(),
            value: U256::ZERO,
        }
    }
}

/// `Move` and `Resolved`: the events a 1.2 game emits when it changes.
pub fn change_topics() -> Vec<B256> {
    vec![Fdg::Move::SIGNATURE_HASH, Fdg::Resolved::SIGNATURE_HASH]
}

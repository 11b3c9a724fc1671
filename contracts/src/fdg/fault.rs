//! `FaultDisputeGame` and `PermissionedDisputeGame` 1.2 to 2.x: the functions a challenger uses
//! keep their selectors across the lines, so one reader serves them all; what a line adds (the
//! bond distribution mode, `closeGame`, a permissioned game's roles) is read where the line has
//! it.

#![allow(missing_docs)]

use std::sync::Arc;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{SolCall, SolEvent, sol};
use riposte_game::{
    BondMode, Claim, Clock, ClockParams, Closing, CreditState, GameStatus, Line, Position, Standing, rules,
};
use riposte_solver::{Action, PreimageLoad, trace::super_root::SuperRoot};

use super::{DisputeGame, GameFamily, GameParams, Roles};
use crate::{
    ActionKind, BoxFuture, ContractError, EthCall, TxCall,
    asr::{AnchorStateRegistry3 as Asr, Portal2},
    call,
    call::decode_return,
    call_if_present, call_many, oracle,
    vm::BigStepper,
    weth::DelayedWETH,
};

sol! {
    #![sol(all_derives)]
    /// `Types.OutputRootProof`: the preimage of a version-0 output root.
    struct OutputRootProofAbi {
        bytes32 version;
        bytes32 stateRoot;
        bytes32 messagePasserStorageRoot;
        bytes32 latestBlockhash;
    }

    /// `FaultDisputeGame` 1.2.0, whose functions every later line keeps; errors of every line.
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
        function challengeRootL2Block(OutputRootProofAbi _outputRootProof, bytes _headerRLP) external;

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
        // 1.3 and later.
        error InvalidChallengePeriod();
        // 1.4 and later.
        error GameNotFinalized();
        error GameNotResolved();
        error InvalidBondDistributionMode();
        // 2.x.
        error GamePaused();
        error UnknownChainId();
        // PermissionedDisputeGame: the sender is neither proposer nor challenger.
        error BadAuth();
    }

    /// What 1.4 and later add (1.5: `l2SequenceNumber`; 2.3: `rootClaimByChainId`).
    #[sol(all_derives)]
    interface Later {
        event GameClosed(uint8 bondDistributionMode);
        function bondDistributionMode() external view returns (uint8);
        function normalModeCredit(address) external view returns (uint256);
        function refundModeCredit(address) external view returns (uint256);
        function hasUnlockedCredit(address) external view returns (bool);
        function wasRespectedGameTypeWhenCreated() external view returns (bool);
        function closeGame() external;
        function l2SequenceNumber() external view returns (uint256);
        function rootClaimByChainId(uint256 _chainId) external view returns (bytes32);
    }

    /// What `SuperFaultDisputeGame` 0.7 has instead of the block-number getters.
    #[sol(all_derives)]
    interface Super {
        function startingSequenceNumber() external view returns (uint256);
        function extraData() external pure returns (bytes);
        error SuperFaultDisputeGameInvalidRootClaim();
        error NoChainIdNeeded();
        // `Encoding.decodeSuperRootProof` on the extraData.
        error Encoding_EmptySuperRoot();
        error Encoding_InvalidSuperRootEncoding();
        error Encoding_InvalidSuperRootVersion();
    }

    /// `PermissionedDisputeGame`'s roles: only they may move and step.
    #[sol(all_derives)]
    interface Permissioned {
        function proposer() external view returns (address);
        function challenger() external view returns (address);
    }
}

use FaultDisputeGame as Fdg;

use std::sync::OnceLock;

/// A game of `family` read through an [`EthCall`].
pub struct Game {
    eth: Arc<dyn EthCall>,
    address: Address,
    family: GameFamily,
    /// The PreimageOracle of the game's VM, read on first need.
    oracle: OnceLock<Address>,
    /// `weth()`, read on first need.
    weth: OnceLock<Address>,
    /// `anchorStateRegistry()`, read on first need.
    registry: OnceLock<Address>,
    /// The registry's finality delay, read on first need.
    finality_delay: OnceLock<u64>,
}

impl Game {
    /// The game at `address`, played as `family`.
    pub fn new(eth: Arc<dyn EthCall>, address: Address, family: GameFamily) -> Self {
        Self {
            eth,
            address,
            family,
            oracle: OnceLock::new(),
            weth: OnceLock::new(),
            registry: OnceLock::new(),
            finality_delay: OnceLock::new(),
        }
    }

    fn line(&self) -> Line {
        self.family.line
    }

    /// Several calls of mixed return types to the game in one batch.
    async fn batch(
        &self,
        what: &str,
        data: Vec<alloy_primitives::Bytes>,
    ) -> Result<Vec<alloy_primitives::Bytes>, ContractError> {
        let n = data.len();
        let what = || format!("{what} of game {}", self.address);
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
        Ok(answers)
    }

    /// A getter of a fixed address, read once into `cell`.
    async fn once<C: SolCall<Return = Address>>(
        &self,
        cell: &OnceLock<Address>,
        c: C,
    ) -> Result<Address, ContractError> {
        if let Some(a) = cell.get() {
            return Ok(*a);
        }
        let a = self.get(c).await?;
        let _ = cell.set(a);
        Ok(a)
    }

    async fn read_weth(&self) -> Result<Address, ContractError> {
        self.once(&self.weth, Fdg::wethCall {}).await
    }

    async fn read_registry(&self) -> Result<Address, ContractError> {
        self.once(&self.registry, Fdg::anchorStateRegistryCall {}).await
    }

    /// The registry's `disputeGameFinalityDelaySeconds` (3.x), or its portal's (2.2).
    async fn read_finality_delay(&self) -> Result<u64, ContractError> {
        if let Some(d) = self.finality_delay.get() {
            return Ok(*d);
        }
        let registry = self.read_registry().await?;
        let eth = self.eth.as_ref();
        let delay = match call_if_present(eth, registry, Asr::disputeGameFinalityDelaySecondsCall {}).await? {
            Some(d) => d,
            None => {
                let portal = call(eth, registry, Asr::portalCall {}).await?;
                call(eth, portal, Portal2::disputeGameFinalityDelaySecondsCall {}).await?
            }
        };
        let delay = u64::try_from(delay).map_err(|_| ContractError::Decode {
            what: format!("disputeGameFinalityDelaySeconds() of the registry {registry}"),
            reason: format!("{delay} seconds does not fit 64 bits"),
        })?;
        let _ = self.finality_delay.set(delay);
        Ok(delay)
    }

    /// The registry's `paused()` (3.x); registries without it cannot be paused.
    async fn read_paused(&self) -> Result<bool, ContractError> {
        let registry = self.read_registry().await?;
        Ok(call_if_present(self.eth.as_ref(), registry, Asr::pausedCall {}).await?.unwrap_or(false))
    }

    async fn read_bond_mode(&self) -> Result<BondMode, ContractError> {
        if !self.line().has_two_phase_bonds() {
            return Ok(BondMode::Legacy);
        }
        let m = self.get(Later::bondDistributionModeCall {}).await?;
        BondMode::from_u8(m).map_err(|_| self.invalid("bondDistributionMode", m, "is no BondDistributionMode"))
    }

    async fn read_credit_state(&self, who: Address) -> Result<CreditState, ContractError> {
        let mut state = CreditState::default();
        if self.line().has_two_phase_bonds() {
            let a = self
                .batch(
                    "the credit",
                    vec![
                        Later::normalModeCreditCall(who).abi_encode().into(),
                        Later::refundModeCreditCall(who).abi_encode().into(),
                        Later::hasUnlockedCreditCall(who).abi_encode().into(),
                    ],
                )
                .await?;
            state.normal = decode::<Later::normalModeCreditCall>(self.address, a.first())?;
            state.refund = decode::<Later::refundModeCreditCall>(self.address, a.get(1))?;
            state.unlocked = decode::<Later::hasUnlockedCreditCall>(self.address, a.get(2))?;
        } else {
            state.normal = self.get(Fdg::creditCall(who)).await?;
        }
        let weth = self.read_weth().await?;
        let w = call(self.eth.as_ref(), weth, DelayedWETH::withdrawalsCall { owner: self.address, guy: who }).await?;
        state.unlocked_at = u64::try_from(w.timestamp).map_err(|_| ContractError::Decode {
            what: format!("withdrawals({}, {who}) on DelayedWETH {weth}", self.address),
            reason: format!("timestamp {} does not fit 64 bits", w.timestamp),
        })?;
        Ok(state)
    }

    async fn read_closing(&self) -> Result<Closing, ContractError> {
        let a = self
            .batch(
                "the resolution",
                vec![Fdg::statusCall {}.abi_encode().into(), Fdg::resolvedAtCall {}.abi_encode().into()],
            )
            .await?;
        let status = decode::<Fdg::statusCall>(self.address, a.first())?;
        let status = GameStatus::from_u8(status).map_err(|_| self.invalid("status", status, "is no GameStatus"))?;
        let resolved_at = decode::<Fdg::resolvedAtCall>(self.address, a.get(1))?;
        if !self.line().has_two_phase_bonds() {
            return Ok(Closing { status, resolved_at, finality_delay: 0, paused: false, pause_first: false });
        }
        Ok(Closing {
            status,
            resolved_at,
            finality_delay: self.read_finality_delay().await?,
            paused: self.read_paused().await?,
            pause_first: self.family.kind.is_super(),
        })
    }

    async fn read_standing(&self) -> Result<Standing, ContractError> {
        if !self.line().has_two_phase_bonds() {
            return Ok(Standing { registered: true, ..Standing::default() });
        }
        let registry = self.read_registry().await?;
        let g = self.address;
        let what = || format!("the standing of game {g} in the registry {registry}");
        let a = self
            .eth
            .call_many(
                registry,
                vec![
                    Asr::isGameRegisteredCall { _game: g }.abi_encode().into(),
                    Asr::isGameBlacklistedCall { _game: g }.abi_encode().into(),
                    Asr::isGameRetiredCall { _game: g }.abi_encode().into(),
                ],
            )
            .await
            .map_err(|source| ContractError::Call { what: what(), source })?;
        if a.len() != 3 {
            return Err(ContractError::Decode { what: what(), reason: format!("{} answers to 3 calls", a.len()) });
        }
        Ok(Standing {
            registered: decode::<Asr::isGameRegisteredCall>(registry, a.first())?,
            blacklisted: decode::<Asr::isGameBlacklistedCall>(registry, a.get(1))?,
            retired: decode::<Asr::isGameRetiredCall>(registry, a.get(2))?,
            paused: self.read_paused().await?,
        })
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
        // Every getter in one batch: one round trip (and one retry) instead of seventeen. A
        // super-root game has sequence numbers (timestamps) and its super root in extraData
        // where an output-root game has block numbers and a chain id.
        let sup = self.family.kind.is_super();
        let (proposal, start, chain): (alloy_primitives::Bytes, alloy_primitives::Bytes, alloy_primitives::Bytes) =
            if sup {
                (
                    Later::l2SequenceNumberCall {}.abi_encode().into(),
                    Super::startingSequenceNumberCall {}.abi_encode().into(),
                    Super::extraDataCall {}.abi_encode().into(),
                )
            } else {
                (
                    Fdg::l2BlockNumberCall {}.abi_encode().into(),
                    Fdg::startingBlockNumberCall {}.abi_encode().into(),
                    Fdg::l2ChainIdCall {}.abi_encode().into(),
                )
            };
        let mut data: Vec<alloy_primitives::Bytes> = vec![
            Fdg::versionCall {}.abi_encode().into(),
            Fdg::gameTypeCall {}.abi_encode().into(),
            Fdg::rootClaimCall {}.abi_encode().into(),
            Fdg::l1HeadCall {}.abi_encode().into(),
            proposal,
            start,
            Fdg::startingRootHashCall {}.abi_encode().into(),
            Fdg::maxGameDepthCall {}.abi_encode().into(),
            Fdg::splitDepthCall {}.abi_encode().into(),
            Fdg::maxClockDurationCall {}.abi_encode().into(),
            Fdg::clockExtensionCall {}.abi_encode().into(),
            Fdg::statusCall {}.abi_encode().into(),
            Fdg::absolutePrestateCall {}.abi_encode().into(),
            chain,
            Fdg::vmCall {}.abi_encode().into(),
            Fdg::wethCall {}.abi_encode().into(),
            Fdg::anchorStateRegistryCall {}.abi_encode().into(),
        ];
        let permissioned = self.family.kind.is_permissioned();
        if permissioned {
            data.push(Permissioned::proposerCall {}.abi_encode().into());
            data.push(Permissioned::challengerCall {}.abi_encode().into());
        }
        let answers = self.batch("the parameters", data).await?;
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
        let (chain_id, super_root) = if sup {
            let extra = decode::<Super::extraDataCall>(self.address, it.next())?;
            let sr = self.super_root_of(&extra, root_claim, l2_block)?;
            (sr.chains.first().map_or(U256::ZERO, |c| c.chain_id), Some(sr))
        } else {
            (decode::<Fdg::l2ChainIdCall>(self.address, it.next())?, None)
        };
        let vm = decode::<Fdg::vmCall>(self.address, it.next())?;
        let weth = decode::<Fdg::wethCall>(self.address, it.next())?;
        let anchor_registry = decode::<Fdg::anchorStateRegistryCall>(self.address, it.next())?;
        let roles = if permissioned {
            let proposer = decode::<Permissioned::proposerCall>(self.address, it.next())?;
            let challenger = decode::<Permissioned::challengerCall>(self.address, it.next())?;
            Some(Roles { proposer, challenger })
        } else {
            None
        };
        let _ = self.weth.set(weth);
        let _ = self.registry.set(anchor_registry);
        let line = self.line();
        let max = u8::try_from(max_depth).map_err(|_| self.invalid("maxGameDepth", max_depth, "is above 125"))?;
        let split = u8::try_from(split_depth).map_err(|_| self.invalid("splitDepth", split_depth, "is above 125"))?;
        let depth = rules::depth_of(line, max, split)
            .map_err(|_| self.invalid("splitDepth", split, "breaks the depth rules of the game's constructor"))?;
        let (clocks, oracle_challenge_period) = if line.has_step_extension() {
            let oracle = self.read_oracle().await?;
            let period = call(self.eth.as_ref(), oracle, oracle::PreimageOracle::challengePeriodCall {}).await?;
            let period = u64::try_from(period)
                .map_err(|_| self.invalid("vm().oracle().challengePeriod", period, "does not fit 64 bits"))?;
            let clocks = ClockParams::with_step_period(max_clock, extension, period).map_err(|_| {
                self.invalid(
                    "clockExtension",
                    extension,
                    "with the oracle's challenge period is more than maxClockDuration allows",
                )
            })?;
            (clocks, period)
        } else {
            let clocks = ClockParams::new(max_clock, extension)
                .map_err(|_| self.invalid("clockExtension", extension, "is more than maxClockDuration allows"))?;
            (clocks, 0)
        };
        let l2_block_number = rules::proposal_number(l2_block).ok_or_else(|| {
            self.invalid("l2BlockNumber", l2_block, "is above 2^64 - 1: the proposal names no L2 block")
        })?;
        let status = GameStatus::from_u8(status).map_err(|_| self.invalid("status", status, "is no GameStatus"))?;
        let starting_block = self.u64_of("startingBlockNumber", starting_block)?;
        if sup && l2_block_number <= starting_block {
            return Err(self.invalid(
                "l2SequenceNumber",
                format!("{l2_block_number} (startingSequenceNumber {starting_block})"),
                "is not after the anchor's timestamp",
            ));
        }
        Ok(GameParams {
            version,
            game_type,
            root_claim,
            l1_head,
            l2_block_number,
            starting_block,
            starting_root,
            depth,
            clocks,
            status,
            absolute_prestate,
            l2_chain_id: self.u64_of("l2ChainId", chain_id)?,
            vm,
            weth,
            anchor_registry,
            oracle_challenge_period,
            roles,
            super_root,
        })
    }

    /// A super-root game's `extraData` as its proposal: a SuperV1 preimage that hashes to the
    /// root claim, at the game's `l2SequenceNumber`, over one chain.
    fn super_root_of(&self, extra: &[u8], root_claim: B256, sequence: U256) -> Result<SuperRoot, ContractError> {
        let sr = SuperRoot::decode(extra).map_err(|e| ContractError::Decode {
            what: format!("extraData() of super-root game {}", self.address),
            reason: e.to_string(),
        })?;
        if alloy_primitives::keccak256(extra) != root_claim {
            return Err(self.invalid(
                "extraData",
                alloy_primitives::hex::encode_prefixed(extra),
                "does not hash to rootClaim",
            ));
        }
        if U256::from(sr.timestamp) != sequence {
            return Err(self.invalid(
                "l2SequenceNumber",
                sequence,
                "is not the timestamp of the super root in extraData",
            ));
        }
        if sr.chains.len() != 1 {
            return Err(ContractError::Unsupported {
                game: self.address,
                reason: format!(
                    "a super root over {} chains (riposte plays one-chain dependency sets: there is no interop yet)",
                    sr.chains.len()
                ),
            });
        }
        Ok(sr)
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
        self.family
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

    fn unlock_credit(&self, recipient: Address) -> Option<TxCall> {
        self.line().has_two_phase_bonds().then(|| TxCall {
            kind: ActionKind::UnlockCredit,
            key: format!("unlock-credit:{}:{recipient}", self.address),
            target: self.address,
            calldata: Fdg::claimCreditCall { _recipient: recipient }.abi_encode().into(),
            value: U256::ZERO,
        })
    }

    fn l2_block_challenged(&self) -> BoxFuture<'_, Result<bool, ContractError>> {
        if self.family.kind.is_super() {
            // Super-root games have no L2-block-number challenge.
            return Box::pin(async { Ok(false) });
        }
        Box::pin(self.get(Fdg::l2BlockNumberChallengedCall {}))
    }

    fn challenge_root_l2_block(
        &self,
        proof: &riposte_game::OutputRootProof,
        header_rlp: alloy_primitives::Bytes,
    ) -> TxCall {
        let p = OutputRootProofAbi {
            version: proof.version,
            stateRoot: proof.state_root,
            messagePasserStorageRoot: proof.message_passer_storage_root,
            latestBlockhash: proof.latest_blockhash,
        };
        TxCall {
            kind: ActionKind::ChallengeRootL2Block,
            key: format!("l2-block-challenge:{}", self.address),
            target: self.address,
            calldata: Fdg::challengeRootL2BlockCall { _outputRootProof: p, _headerRLP: header_rlp }.abi_encode().into(),
            value: U256::ZERO,
        }
    }

    fn close_game(&self) -> Option<TxCall> {
        self.line().has_two_phase_bonds().then(|| TxCall {
            kind: ActionKind::CloseGame,
            key: format!("close:{}", self.address),
            target: self.address,
            calldata: Later::closeGameCall {}.abi_encode().into(),
            value: U256::ZERO,
        })
    }

    fn bond_mode(&self) -> BoxFuture<'_, Result<BondMode, ContractError>> {
        Box::pin(self.read_bond_mode())
    }

    fn credit_state(&self, who: Address) -> BoxFuture<'_, Result<CreditState, ContractError>> {
        Box::pin(self.read_credit_state(who))
    }

    fn closing(&self) -> BoxFuture<'_, Result<Closing, ContractError>> {
        Box::pin(self.read_closing())
    }

    fn standing(&self) -> BoxFuture<'_, Result<Standing, ContractError>> {
        Box::pin(self.read_standing())
    }
}

/// `Move` and `Resolved`: the events a 1.2 game emits when it changes.
pub fn change_topics() -> Vec<B256> {
    vec![Fdg::Move::SIGNATURE_HASH, Fdg::Resolved::SIGNATURE_HASH]
}

//! Test doubles shared by the daemon's unit tests: a game in memory, honest output roots.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;

use alloy::primitives::{Address, B256, U256, keccak256};
use riposte_contracts::{ActionKind, BoxFuture, ContractError, DisputeGame, GameFamily, GameKind, GameParams, TxCall};
use riposte_game::{
    BondMode, Claim, Clock, Closing, CreditState, GameStatus, Line, Position, ROOT_PARENT_INDEX, Standing,
};
use riposte_solver::{Action, TraceError, trace::OutputTrace};
use riposte_storage::GameRecord;

pub(crate) const GAME: Address = Address::repeat_byte(0x9a);
pub(crate) const ME: Address = Address::repeat_byte(0x0e);
pub(crate) const ADVERSARY: Address = Address::repeat_byte(0xad);
pub(crate) const START: u64 = 1_000;

/// Honest output roots: a fixed function of the block.
pub(crate) struct Outputs;

pub(crate) fn honest_output(block: u64) -> B256 {
    keccak256(format!("output {block}"))
}

impl OutputTrace for Outputs {
    async fn output_at(&self, block: u64) -> Result<B256, TraceError> {
        Ok(honest_output(block))
    }
}

/// A game in memory: claims, status, resolved subgames. Actions become calls whose key names
/// the action.
pub(crate) struct FakeGame {
    pub(crate) claims: Mutex<Vec<Claim>>,
    pub(crate) status: Mutex<GameStatus>,
    pub(crate) resolved: Mutex<Vec<bool>>,
    pub(crate) bonds: Mutex<FakeBonds>,
}

/// What a fake game reports about bonds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FakeBonds {
    pub(crate) line: Line,
    pub(crate) mode: BondMode,
    pub(crate) state: CreditState,
    pub(crate) closing: Closing,
    pub(crate) standing: Standing,
}

impl FakeGame {
    /// A game whose root is `root`, made by the adversary at [`START`].
    pub(crate) fn new(root: B256) -> Self {
        let root = Claim {
            parent_index: ROOT_PARENT_INDEX,
            countered_by: Address::ZERO,
            claimant: ADVERSARY,
            bond: 1,
            value: root,
            position: Position::ROOT,
            clock: Clock::new(0, START),
        };
        Self {
            claims: Mutex::new(vec![root]),
            status: Mutex::new(GameStatus::InProgress),
            resolved: Mutex::new(vec![]),
            bonds: Mutex::new(FakeBonds {
                line: Line::V1_2,
                mode: BondMode::Legacy,
                state: CreditState::default(),
                closing: Closing {
                    status: GameStatus::InProgress,
                    resolved_at: 0,
                    finality_delay: 0,
                    paused: false,
                    pause_first: false,
                },
                standing: Standing { registered: true, ..Standing::default() },
            }),
        }
    }

    /// A resolved 1.2 game with an honest root and `credit` for anyone, unlocked at `unlocked_at`.
    pub(crate) fn with_credit(credit: U256, unlocked_at: u64) -> Self {
        let g = Self::new(honest_output(20));
        {
            let mut b = g.bonds.lock().unwrap();
            b.state = CreditState { normal: credit, unlocked_at, ..CreditState::default() };
            b.closing.status = GameStatus::DefenderWins;
        }
        g
    }

    /// A 2.x game resolved at `resolved_at` with a finality delay of `finality_delay`, in
    /// `mode`, owing `normal` and `refund` to anyone.
    pub(crate) fn two_phase(mode: BondMode, normal: u64, refund: u64, resolved_at: u64, finality_delay: u64) -> Self {
        let g = Self::new(honest_output(20));
        *g.bonds.lock().unwrap() = FakeBonds {
            line: Line::V2,
            mode,
            state: CreditState { normal: U256::from(normal), refund: U256::from(refund), ..CreditState::default() },
            closing: Closing {
                status: GameStatus::DefenderWins,
                resolved_at,
                finality_delay,
                paused: false,
                pause_first: false,
            },
            standing: Standing { registered: true, ..Standing::default() },
        };
        g
    }

    /// Appends a claim.
    pub(crate) fn push(&self, parent: u32, position: u128, value: B256, who: Address, at: u64) {
        let c = Claim {
            parent_index: parent,
            countered_by: Address::ZERO,
            claimant: who,
            bond: 2,
            value,
            position: Position::from_gindex(position).unwrap(),
            clock: Clock::new(0, at),
        };
        self.claims.lock().unwrap().push(c);
    }
}

fn ready<T: Send + 'static>(v: Result<T, ContractError>) -> BoxFuture<'static, Result<T, ContractError>> {
    Box::pin(async move { v })
}

impl DisputeGame for FakeGame {
    fn address(&self) -> Address {
        GAME
    }
    fn family(&self) -> GameFamily {
        GameFamily { kind: GameKind::Fault, line: self.bonds.lock().unwrap().line }
    }
    fn parameters(&self) -> BoxFuture<'_, Result<GameParams, ContractError>> {
        unreachable!("the player reads parameters from the stored record")
    }
    fn status(&self) -> BoxFuture<'_, Result<GameStatus, ContractError>> {
        ready(Ok(*self.status.lock().unwrap()))
    }
    fn oracle(&self) -> BoxFuture<'_, Result<Address, ContractError>> {
        ready(Ok(Address::repeat_byte(0x22)))
    }
    fn claim_count(&self) -> BoxFuture<'_, Result<u64, ContractError>> {
        ready(Ok(self.claims.lock().unwrap().len() as u64))
    }
    fn claims(&self, indexes: Vec<u64>) -> BoxFuture<'_, Result<Vec<Claim>, ContractError>> {
        let all = self.claims.lock().unwrap().clone();
        ready(Ok(indexes.iter().map(|&i| all[i as usize]).collect()))
    }
    fn resolved_subgames(&self, indexes: Vec<u64>) -> BoxFuture<'_, Result<Vec<bool>, ContractError>> {
        let r = self.resolved.lock().unwrap().clone();
        ready(Ok(indexes.iter().map(|&i| r.get(i as usize).copied().unwrap_or(false)).collect()))
    }
    fn credit(&self, _: Address) -> BoxFuture<'_, Result<U256, ContractError>> {
        ready(Ok(self.bonds.lock().unwrap().state.normal))
    }
    fn required_bond(&self, _: Position) -> BoxFuture<'_, Result<U256, ContractError>> {
        ready(Ok(U256::from(2)))
    }
    fn calls_for<'a>(&'a self, action: &'a Action) -> BoxFuture<'a, Result<Vec<TxCall>, ContractError>> {
        let (kind, key) = match action {
            Action::Move { parent_index, position, value, is_attack, .. } => {
                (ActionKind::Move, format!("move:{parent_index}:{}:{value}:{is_attack}", position.gindex()))
            }
            Action::Step { claim_index, is_attack, .. } => {
                (ActionKind::Step, format!("step:{claim_index}:{is_attack}"))
            }
            Action::ResolveClaim { claim_index } => (ActionKind::ResolveClaim, format!("resolve-claim:{claim_index}")),
            Action::Resolve => (ActionKind::Resolve, "resolve".into()),
        };
        ready(Ok(vec![TxCall { kind, key, target: GAME, calldata: Default::default(), value: U256::ZERO }]))
    }
    fn claim_credit(&self, recipient: Address) -> TxCall {
        TxCall {
            kind: ActionKind::ClaimCredit,
            key: format!("claim-credit:{recipient}"),
            target: GAME,
            calldata: Default::default(),
            value: U256::ZERO,
        }
    }
    fn unlock_credit(&self, recipient: Address) -> Option<TxCall> {
        let kind = ActionKind::UnlockCredit;
        let key = format!("unlock-credit:{recipient}");
        Some(TxCall { kind, key, target: GAME, calldata: Default::default(), value: U256::ZERO })
    }
    fn l2_block_challenged(&self) -> BoxFuture<'_, Result<bool, ContractError>> {
        ready(Ok(false))
    }
    fn challenge_root_l2_block(&self, _: &riposte_game::OutputRootProof, _: alloy::primitives::Bytes) -> TxCall {
        let (kind, key) = (ActionKind::ChallengeRootL2Block, "l2-block-challenge".to_string());
        TxCall { kind, key, target: GAME, calldata: Default::default(), value: U256::ZERO }
    }
    fn close_game(&self) -> Option<TxCall> {
        let (kind, key) = (ActionKind::CloseGame, "close".to_string());
        Some(TxCall { kind, key, target: GAME, calldata: Default::default(), value: U256::ZERO })
    }
    fn bond_mode(&self) -> BoxFuture<'_, Result<BondMode, ContractError>> {
        ready(Ok(self.bonds.lock().unwrap().mode))
    }
    fn credit_state(&self, _: Address) -> BoxFuture<'_, Result<CreditState, ContractError>> {
        ready(Ok(self.bonds.lock().unwrap().state))
    }
    fn closing(&self) -> BoxFuture<'_, Result<Closing, ContractError>> {
        ready(Ok(self.bonds.lock().unwrap().closing))
    }
    fn standing(&self) -> BoxFuture<'_, Result<Standing, ContractError>> {
        ready(Ok(self.bonds.lock().unwrap().standing))
    }
}

/// The stored record of the fake game: alphabet, depth 8 split 4, from block 4 to 20.
pub(crate) fn record() -> GameRecord {
    GameRecord {
        address: GAME,
        factory: Address::repeat_byte(0xfa),
        game_index: 0,
        game_type: 255,
        created_at: START,
        version: "1.2.0".into(),
        root_claim: B256::ZERO,
        l1_head: B256::repeat_byte(1),
        l2_block_number: 20,
        starting_block: 4,
        starting_root: honest_output(4),
        max_depth: 8,
        split_depth: 4,
        max_clock_duration: 300,
        clock_extension: 30,
        status: GameStatus::InProgress as u8,
        absolute_prestate: riposte_solver::trace::alphabet::absolute_prestate(),
        l2_chain_id: 901,
        vm: Address::repeat_byte(0x11),
        weth: Address::repeat_byte(0x33),
        oracle_challenge_period: 0,
        anchor_registry: Address::repeat_byte(0x34),
        proposer: Address::ZERO,
        challenger: Address::ZERO,
        super_root: None,
    }
}

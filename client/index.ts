// managerd/client: connect to a daemon (or start one) and use shared objects through proxies.
export { connect, DEFAULT_ADDRESS, type ConnectOptions } from './connect'
export { startManager, type StartManagerOptions } from './start-manager'
export { localManager, type LocalManagerOptions } from './local-manager'
export { Manager, type ManagerEvents } from './manager'
export type { ReconnectOptions } from './reconnect'
export type { DisconnectInfo, ReconnectInfo, SessionLostInfo } from './session-link'
export { BaseProxy, isProxy, registerClientMethods, type ClientMethod } from './proxy'
export type {
  Remote,
  ProxyControls,
  DictProxy,
  ListProxy,
  NamespaceProxy,
  IteratorProxy,
  BlockingOptions,
  OwnerOption,
  WithLockOptions,
  QueueProxy,
  JoinableQueueProxy,
  LockProxy,
  RLockProxy,
  SemaphoreProxy,
  ConditionProxy,
  EventProxy,
  BarrierOptions,
  BarrierProxy,
  Typecode,
  CValueOf,
  CInputOf,
  CArrayInit,
  CSliceOf,
  ValueOptions,
  ValueProxy,
  ArrayProxy,
} from './types'
export {
  ManagerError,
  RemoteError,
  DispatchError,
  UnserializableError,
  AuthenticationError,
  ConnectionLostError,
  CallTimeoutError,
  ProxyReleasedError,
  StaleProxyError,
  SessionLostError,
  ManagerClosedError,
  NotExposedError,
  BadArgumentsError,
  QueueEmpty,
  QueueFull,
  BrokenBarrierError,
  ObjectFreedError,
  registerCodec,
  type CodecSpec,
  type Token,
  type DebugInfo,
  type TypeInfo,
} from '../protocol'

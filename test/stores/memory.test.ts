import { memoryStore } from '../../server/stores/memory.js'
import { testStore } from '../store-conformance.js'

testStore('memory', async () => ({ store: memoryStore() }))

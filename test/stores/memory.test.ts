import { memoryStore } from '../../server/stores/memory.js'
import { testStore } from './conformance.js'

testStore('memory', async () => ({ store: memoryStore() }))

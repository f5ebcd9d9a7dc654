/** Which view is on screen: the navigation, keyboard shortcuts and views that hand over to another view. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { VIEW_IDS } from '../view-ids.ts';

export const useNavigation = defineStore('navigation', () => {
  const viewId = ref<string>(VIEW_IDS[0] ?? '');

  function go(id: string): void {
    if (VIEW_IDS.includes(id)) viewId.value = id;
  }

  return { viewId, go };
});

export async function run(){}
